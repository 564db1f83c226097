/* metrics_http.c - GET /metrics on follow's event loop (metrics_http.h).
 *
 * A connection's life: accepted (non-blocking), read into a fixed buffer
 * until the end of the headers, answered (the whole response built at
 * once, sent as the socket takes it), then half-closed and drained until
 * the client closes, so that bytes it sent after its request do not turn
 * our close into a reset that could cut the response. Whatever it is
 * doing, it is closed MCP_HTTP_TIMEOUT_MS after it was accepted. */
#include "output/metrics_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Accepts per wake-up of the listening socket: the loop turns between. */
#define ACCEPT_BATCH 32

enum phase { READING, WRITING, DRAINING };

struct conn {
    int fd;
    enum phase phase;
    char req[MCP_HTTP_MAX_REQUEST];
    size_t rlen;
    struct mcp_buf resp;
    size_t sent;
    int64_t deadline;           /* monotonic ms */
    struct mcp_metrics_http *h;
    struct conn *next;
};

struct mcp_metrics_http {
    struct mcp_evloop *loop;
    int fd;
    struct mcp_evtimer *sweep;  /* armed while connections are open, or
                                   while accepting is paused */
    bool paused;                /* out of descriptors: not accepting */
    struct conn *conns;
    size_t nconn;
    mcp_http_body_fn body;
    void *arg;
    struct mcp_http_stats st;
};

/* --- the address ------------------------------------------------------- */

/* Split "HOST:PORT" / "[V6]:PORT" into host (may be "") and port. */
static int split(const char *addr, char *host, size_t hl, char *port,
                 size_t pl, char *err)
{
    const char *colon = strrchr(addr, ':');
    const char *h = addr, *he = colon;

    if (colon == NULL || colon[1] == '\0' || strlen(colon + 1) >= pl ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return mcp_errf(err, "metrics listen address '%s': expected "
                        "HOST:PORT", addr), -1;
    if (addr[0] == '[') {
        if (colon == addr || colon[-1] != ']')
            return mcp_errf(err, "metrics listen address '%s': expected "
                            "[IPV6]:PORT", addr), -1;
        h = addr + 1;
        he = colon - 1;
    }
    if ((size_t)(he - h) >= hl)
        return mcp_errf(err, "metrics listen address '%s': host too long",
                        addr), -1;
    memcpy(host, h, (size_t)(he - h));
    host[he - h] = '\0';
    strcpy(port, colon + 1);
    if (atol(port) > 65535)
        return mcp_errf(err, "metrics listen address '%s': port out of "
                        "range", addr), -1;
    return 0;
}

static bool loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >>
                24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

        return IN6_IS_ADDR_LOOPBACK(a) ||
               (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return false;
}

/* Resolve addr (numeric, or a name from /etc/hosts such as localhost);
 * every address it gives must be loopback unless any. */
static struct addrinfo *resolve(const char *addr, bool any, char *err)
{
    char host[256], port[8];
    struct addrinfo hints, *ai = NULL;
    int rc;

    if (split(addr, host, sizeof(host), port, sizeof(port), err) != 0)
        return NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (rc != 0) {
        mcp_errf(err, "metrics listen address '%s': %s", addr,
                 gai_strerror(rc));
        return NULL;
    }
    for (struct addrinfo *p = ai; p != NULL && !any; p = p->ai_next)
        if (!loopback(p->ai_addr)) {
            mcp_errf(err, "metrics listen address '%s' is not a loopback "
                     "address (add --metrics-listen-any to listen on it)",
                     addr);
            freeaddrinfo(ai);
            return NULL;
        }
    return ai;
}

int mcp_metrics_http_check(const char *addr, bool any, char *err)
{
    struct addrinfo *ai = resolve(addr, any, err);

    if (ai == NULL)
        return -1;
    freeaddrinfo(ai);
    return 0;
}

/* --- connections ------------------------------------------------------------ */

static void conn_close(struct conn *c)
{
    struct mcp_metrics_http *h = c->h;

    for (struct conn **pp = &h->conns; *pp != NULL; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    mcp_evloop_del_fd(h->loop, c->fd);
    close(c->fd);
    mcp_buf_free(&c->resp);
    free(c);
    if (--h->nconn == 0 && !h->paused)
        mcp_evtimer_disarm(h->sweep);
}

static void respond(struct conn *c, int code, const char *reason,
                    const struct mcp_buf *body, bool head)
{
    size_t n = body != NULL ? body->len : 0;

    mcp_buf_printf(&c->resp, "HTTP/1.1 %d %s\r\n", code, reason);
    if (code == 405)
        mcp_buf_puts(&c->resp, "Allow: GET, HEAD\r\n");
    mcp_buf_printf(&c->resp, "Content-Type: %s\r\nContent-Length: %zu\r\n"
                   "Connection: close\r\n\r\n",
                   code == 200 ? "text/plain; version=0.0.4"
                               : "text/plain; charset=utf-8", n);
    if (!head && n > 0)
        mcp_buf_append(&c->resp, body->data, n);
    c->phase = WRITING;
    (void)mcp_evloop_mod_fd(c->h->loop, c->fd, EPOLLOUT);
}

static void error_page(struct conn *c, int code, const char *reason)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_buf_printf(&b, "%d %s\n", code, reason);
    respond(c, code, reason, &b, false);
    mcp_buf_free(&b);
}

/* Whether the headers of the request in req (len bytes) are complete: an
 * empty line, "\r\n" or "\n". Returns the length up to it, or 0. */
static size_t headers_end(const char *req, size_t len)
{
    for (size_t i = 1; i < len; i++)
        if (req[i] == '\n' &&
            (req[i - 1] == '\n' ||
             (i >= 2 && req[i - 1] == '\r' && req[i - 2] == '\n')))
            return i + 1;
    return 0;
}

int mcp_metrics_http_route(const char *req, size_t len, bool *head)
{
    const char *sp1, *sp2, *eol;
    size_t end = headers_end(req, len), line, plen;
    bool get;

    *head = false;
    if (end == 0)
        return 0;
    eol = memchr(req, '\n', end);
    line = (size_t)(eol - req);
    if (line > 0 && req[line - 1] == '\r')
        line--;
    sp1 = memchr(req, ' ', line);
    sp2 = sp1 ? memchr(sp1 + 1, ' ', line - (size_t)(sp1 + 1 - req)) : NULL;
    if (sp1 == NULL || sp2 == NULL || sp1 == req || sp1[1] != '/' ||
        req + line - sp2 != 9 ||
        (memcmp(sp2, " HTTP/1.1", 9) != 0 && memcmp(sp2, " HTTP/1.0", 9) != 0))
        return 400;
    plen = strcspn(sp1 + 1, "? "); /* stops at sp2 at the latest */
    if (plen != 8 || memcmp(sp1 + 1, "/metrics", 8) != 0)
        return 404;
    get = sp1 - req == 3 && memcmp(req, "GET", 3) == 0;
    *head = sp1 - req == 4 && memcmp(req, "HEAD", 4) == 0;
    return get || *head ? 200 : 405;
}

/* Answer the complete request in c->req. */
static void answer(struct conn *c, int code, bool head)
{
    struct mcp_metrics_http *h = c->h;
    struct mcp_buf body;

    if (code == 400) {
        h->st.bad++;
        error_page(c, 400, "Bad Request");
        return;
    }
    if (code == 404) {
        h->st.not_found++;
        error_page(c, 404, "Not Found");
        return;
    }
    if (code == 405) {
        h->st.bad_method++;
        error_page(c, 405, "Method Not Allowed");
        return;
    }
    mcp_buf_init(&body);
    h->body(&body, h->arg);
    h->st.ok++;
    respond(c, 200, "OK", &body, head);
    mcp_buf_free(&body);
}

static void on_read(struct conn *c)
{
    int code;
    bool head;

    for (;;) {
        char sink[4096];
        char *to = c->phase == READING ? c->req + c->rlen : sink;
        size_t room = c->phase == READING ? sizeof(c->req) - c->rlen
                                          : sizeof(sink);
        ssize_t n;

        if (room == 0) {
            error_page(c, 431, "Request Header Fields Too Large");
            c->h->st.bad++;
            return;
        }
        n = recv(c->fd, to, room, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) { /* closed (or reset) by the client */
            conn_close(c);
            return;
        }
        if (c->phase != READING)
            continue;
        c->rlen += (size_t)n;
        code = mcp_metrics_http_route(c->req, c->rlen, &head);
        if (code != 0) {
            answer(c, code, head);
            return;
        }
    }
}

static void on_write(struct conn *c)
{
    while (c->sent < c->resp.len) {
        ssize_t n = send(c->fd, c->resp.data + c->sent,
                         c->resp.len - c->sent, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0) {
            conn_close(c);
            return;
        }
        c->sent += (size_t)n;
    }
    shutdown(c->fd, SHUT_WR);
    c->phase = DRAINING;
    (void)mcp_evloop_mod_fd(c->h->loop, c->fd, EPOLLIN);
}

static void on_conn(int fd, uint32_t events, void *arg)
{
    struct conn *c = arg;

    (void)fd;
    if (c->phase == WRITING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
        on_write(c);
    else if (c->phase != WRITING)
        on_read(c);
}

/* At the limit: close the oldest connection that has not finished its
 * request (a slow client holding a slot), so that a scrape still gets in.
 * Returns whether one was closed. */
static bool evict(struct mcp_metrics_http *h)
{
    struct conn *old = NULL;

    for (struct conn *c = h->conns; c != NULL; c = c->next)
        if (c->phase == READING) /* the list is newest first */
            old = c;
    if (old == NULL)
        return false;
    h->st.evicted++;
    conn_close(old);
    return true;
}

static void on_accept(int fd, uint32_t events, void *arg)
{
    struct mcp_metrics_http *h = arg;
    char err[MCP_ERRLEN];

    (void)events;
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct conn *c;

        if (cfd < 0 && (errno == EMFILE || errno == ENFILE)) {
            /* The connection stays queued and the socket readable: stop
             * watching it for a while rather than wake at once again. */
            h->paused = true;
            (void)mcp_evloop_mod_fd(h->loop, fd, 0);
            mcp_evtimer_arm(h->sweep, 250, 250);
            return;
        }
        if (cfd < 0)
            return; /* EAGAIN, or a client gone before we took it */
        if (h->nconn >= MCP_HTTP_MAX_CONN && !evict(h)) {
            h->st.refused++;
            close(cfd);
            continue;
        }
        c = mcp_calloc(1, sizeof(*c));
        c->fd = cfd;
        c->h = h;
        c->deadline = mcp_mono_ms() + MCP_HTTP_TIMEOUT_MS;
        mcp_buf_init(&c->resp);
        if (mcp_evloop_add_fd(h->loop, cfd, EPOLLIN, on_conn, c, err) != 0) {
            close(cfd);
            free(c);
            continue;
        }
        c->next = h->conns;
        h->conns = c;
        if (h->nconn++ == 0)
            mcp_evtimer_arm(h->sweep, 250, 250);
    }
}

static void on_sweep(struct mcp_evtimer *t, void *arg)
{
    struct mcp_metrics_http *h = arg;
    int64_t now = mcp_mono_ms();
    struct conn *c = h->conns;

    (void)t;
    if (h->paused) {
        h->paused = false;
        (void)mcp_evloop_mod_fd(h->loop, h->fd, EPOLLIN);
        if (h->nconn == 0)
            mcp_evtimer_disarm(h->sweep);
    }
    while (c != NULL) {
        struct conn *next = c->next;

        if (now >= c->deadline) {
            if (c->phase != DRAINING)
                h->st.timeouts++;
            conn_close(c);
        }
        c = next;
    }
}

/* --- the listener ---------------------------------------------------------- */

static int listen_on(struct addrinfo *ai, char *bound, char *err)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char host[INET6_ADDRSTRLEN];
    int fd = -1, one = 1;

    for (struct addrinfo *p = ai; p != NULL; p = p->ai_next) {
        fd = socket(p->ai_family, p->ai_socktype | SOCK_NONBLOCK |
                                      SOCK_CLOEXEC, p->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, p->ai_addr, p->ai_addrlen) == 0 && listen(fd, 64) == 0)
            break;
        mcp_errf(err, "metrics listen: %s", strerror(errno));
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        return -1;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;

        inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
        snprintf(bound, 64, "[%s]:%u", host, ntohs(s6->sin6_port));
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;

        inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
        snprintf(bound, 64, "%s:%u", host, ntohs(s4->sin_port));
    }
    return fd;
}

struct mcp_metrics_http *mcp_metrics_http_open(struct mcp_evloop *loop,
                                               const char *addr, bool any,
                                               mcp_http_body_fn body,
                                               void *arg, char *bound,
                                               char *err)
{
    struct addrinfo *ai = resolve(addr, any, err);
    struct mcp_metrics_http *h;
    int fd;

    if (ai == NULL)
        return NULL;
    fd = listen_on(ai, bound, err);
    freeaddrinfo(ai);
    if (fd < 0)
        return NULL;
    h = mcp_calloc(1, sizeof(*h));
    h->loop = loop;
    h->fd = fd;
    h->body = body;
    h->arg = arg;
    h->sweep = mcp_evloop_add_timer(loop, on_sweep, h, err);
    if (h->sweep == NULL ||
        mcp_evloop_add_fd(loop, fd, EPOLLIN, on_accept, h, err) != 0) {
        close(fd);
        free(h);
        return NULL;
    }
    return h;
}

void mcp_metrics_http_stats(const struct mcp_metrics_http *h,
                            struct mcp_http_stats *s)
{
    *s = h->st;
}

void mcp_metrics_http_close(struct mcp_metrics_http *h)
{
    if (h == NULL)
        return;
    while (h->conns != NULL)
        conn_close(h->conns);
    mcp_evtimer_disarm(h->sweep);
    mcp_evloop_del_fd(h->loop, h->fd);
    close(h->fd);
    free(h);
}
