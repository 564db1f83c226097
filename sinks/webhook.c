/* webhook.c - the webhook sink: POST each alert transition as JSON over
 * HTTP(S) with libcurl.
 *
 * Two bodies: `json` (mcp_sink_alert_json, the shape every sink shares)
 * and `alertmanager` (an array of one alert for Alertmanager's
 * POST /api/v2/alerts; sinks/webhook_am.c). One easy handle per instance,
 * reused, so the connection is kept alive between alerts. The answer
 * maps to the dispatcher's retry: 2xx is OK; 408, 429, 5xx and transport
 * failures (refused, timed out, name not resolved) are RETRY; any other
 * status is FAIL. Nothing here loops or sleeps: retry and backoff live in
 * the dispatcher.
 *
 * Secrets: the URL may carry userinfo or a token in its query, and header
 * values (Authorization) are secret. Messages show the URL only through
 * mcp_webhook_redact() and never show a header value.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/mcp.h"
#include "base/path.h"
#include "sinks/sink.h"
#include "base/textout.h"
#include "base/util.h"
#include "sinks/webhook_int.h"

#ifndef MCP_VERSION
#define MCP_VERSION "unknown"
#endif

#define AM_PATH "/api/v2/alerts"
#define RESP_KEEP 4096      /* bytes of a response kept for messages */
#define RESP_SHOW 200       /* bytes of it shown in a message */
#define URL_FILE_MAX 8192

struct webhook {
    /* options: filled and freed by the core */
    char *url;
    char *url_file;
    char *format;
    int64_t timeout;
    int64_t connect_timeout;
    char **headers;
    char *generator_url;
    int64_t firing_ttl;

    /* state */
    bool am;                 /* format: alertmanager */
    bool global;             /* counted in curl's global users */
    char *target;            /* the URL posted to */
    char *shown;             /* target, redacted, for messages */
    CURL *curl;
    struct curl_slist *hdrs;
    struct mcp_buf body;
    struct mcp_buf resp;
    char errbuf[CURL_ERROR_SIZE];
};

/* curl_global_init is not thread-safe and must run once before any
 * handle; instances start and stop in the main thread, but the count is
 * guarded all the same. */
static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned global_users;

static int global_get(char *err)
{
    int rc = 0;

    pthread_mutex_lock(&global_lock);
    if (global_users == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        mcp_errf(err, "libcurl could not be initialised");
        rc = -1;
    } else {
        global_users++;
    }
    pthread_mutex_unlock(&global_lock);
    return rc;
}

static void global_put(void)
{
    pthread_mutex_lock(&global_lock);
    if (global_users > 0 && --global_users == 0)
        curl_global_cleanup();
    pthread_mutex_unlock(&global_lock);
}

/* The first line of path, trimmed: a URL kept out of the config file. */
static char *read_url_at(const char *path, char *err)
{
    char buf[URL_FILE_MAX + 1];
    const char *nl;
    size_t len = 0, b, e;
    ssize_t n;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        mcp_errf(err, "url_file %s: %s", path, strerror(errno));
        return NULL;
    }
    while (len < URL_FILE_MAX &&
           (n = read(fd, buf + len, URL_FILE_MAX - len)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            mcp_errf(err, "url_file %s: %s", path, strerror(errno));
            close(fd);
            return NULL;
        }
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    nl = memchr(buf, '\n', len);
    e = nl != NULL ? (size_t)(nl - buf) : len;
    if (nl == NULL && len == URL_FILE_MAX) {
        mcp_errf(err, "url_file %s: the first line is longer than %d bytes",
                 path, URL_FILE_MAX);
        return NULL;
    }
    if (memchr(buf, '\0', e) != NULL) {
        mcp_errf(err, "url_file %s: the first line holds a NUL byte", path);
        return NULL;
    }
    for (b = 0; b < e && (buf[b] == ' ' || buf[b] == '\t'); b++)
        ;
    while (e > b && (buf[e - 1] == ' ' || buf[e - 1] == '\t' ||
                     buf[e - 1] == '\r'))
        e--;
    if (e == b) {
        mcp_errf(err, "url_file %s: the first line is empty", path);
        return NULL;
    }
    return mcp_strndup(buf + b, e - b);
}

/* The same, a leading "~/" being $HOME. */
static char *read_url_file(const char *path, char *err)
{
    char *full = mcp_path_tilde(path, err), *url;

    if (full == NULL)
        return NULL;
    url = read_url_at(full, err);
    free(full);
    return url;
}

/* Check the URL with libcurl's parser (http or https only) and, for
 * Alertmanager, add /api/v2/alerts when the path is empty or "/". Returns
 * the URL to post to, or NULL with the cause in err. */
static char *target_url(const char *url, bool am, char *err)
{
    CURLU *h = curl_url();
    char *scheme = NULL, *path = NULL, *full = NULL, *res = NULL;
    CURLUcode uc;

    if (h == NULL) {
        mcp_errf(err, "out of memory");
        return NULL;
    }
    uc = curl_url_set(h, CURLUPART_URL, url, 0);
    if (uc == CURLUE_OK)
        uc = curl_url_get(h, CURLUPART_SCHEME, &scheme, 0);
    if (uc != CURLUE_OK) {
        char *shown = mcp_webhook_redact(url);

        mcp_errf(err, "url %s: %s", shown, curl_url_strerror(uc));
        free(shown);
        goto out;
    }
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        mcp_errf(err, "url: the scheme must be http or https, not '%s'",
                 scheme);
        goto out;
    }
    if (am && curl_url_get(h, CURLUPART_PATH, &path, 0) == CURLUE_OK &&
        (path[0] == '\0' || strcmp(path, "/") == 0))
        uc = curl_url_set(h, CURLUPART_PATH, AM_PATH, 0);
    if (uc == CURLUE_OK)
        uc = curl_url_get(h, CURLUPART_URL, &full, 0);
    if (uc != CURLUE_OK) {
        mcp_errf(err, "url: %s", curl_url_strerror(uc));
        goto out;
    }
    res = mcp_strdup(full);
out:
    curl_free(scheme);
    curl_free(path);
    curl_free(full);
    curl_url_cleanup(h);
    return res;
}

static bool header_is(const char *h, const char *name)
{
    size_t n = strlen(name);

    return strncasecmp(h, name, n) == 0 && h[n] == ':';
}

/* "Name: value" with a token for a name and no line break anywhere. The
 * message names the entry, never its value (it may be a secret). */
static int check_header(const char *h, size_t i, char *err)
{
    size_t n = strspn(h, "!#$%&'*+-.^_`|~0123456789"
                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    if (n == 0 || h[n] != ':') {
        mcp_errf(err, "headers: entry %zu is not 'Name: value'", i + 1);
        return -1;
    }
    if (strpbrk(h, "\r\n") != NULL) {
        mcp_errf(err, "headers: entry %zu (%.*s) holds a line break", i + 1,
                 (int)n, h);
        return -1;
    }
    return 0;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct webhook *w = arg;
    size_t n = size * nmemb;

    if (w->resp.len < RESP_KEEP)
        mcp_buf_append(&w->resp, p,
                       n < RESP_KEEP - w->resp.len ? n : RESP_KEEP - w->resp.len);
    return n;
}

static void cleanup(struct webhook *w)
{
    if (w->curl != NULL)
        curl_easy_cleanup(w->curl);
    w->curl = NULL;
    curl_slist_free_all(w->hdrs);
    w->hdrs = NULL;
    free(w->target);
    w->target = NULL;
    free(w->shown);
    w->shown = NULL;
    mcp_buf_free(&w->body);
    mcp_buf_free(&w->resp);
    if (w->global)
        global_put();
    w->global = false;
}

/* Append h to the header list; false when libcurl ran out of memory. */
static bool add_header(struct webhook *w, const char *h)
{
    struct curl_slist *l = curl_slist_append(w->hdrs, h);

    if (l == NULL)
        return false;
    w->hdrs = l;
    return true;
}

static int setup_curl(struct webhook *w, char *err)
{
    bool own_ct = false;
    CURLcode rc = CURLE_OK;
    CURL *c;

    for (size_t i = 0; w->headers != NULL && w->headers[i] != NULL; i++)
        own_ct = own_ct || header_is(w->headers[i], "Content-Type");
    if ((!own_ct && !add_header(w, "Content-Type: application/json")) ||
        !add_header(w, "Expect:")) /* no 100-continue round trip */
        goto nomem;
    for (size_t i = 0; w->headers != NULL && w->headers[i] != NULL; i++)
        if (!add_header(w, w->headers[i]))
            goto nomem;

    w->curl = c = curl_easy_init();
    if (c == NULL)
        goto nomem;
#define SET(opt, val) \
    if (rc == CURLE_OK) \
        rc = curl_easy_setopt(c, opt, val)
    SET(CURLOPT_URL, w->target);
    SET(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_POST, 1L);
    SET(CURLOPT_HTTPHEADER, w->hdrs);
    SET(CURLOPT_USERAGENT, "mcplog/" MCP_VERSION);
    SET(CURLOPT_TIMEOUT_MS, (long)w->timeout);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)w->connect_timeout);
    SET(CURLOPT_ERRORBUFFER, w->errbuf);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, w);
#undef SET
    if (rc != CURLE_OK) {
        mcp_errf(err, "libcurl: %s", curl_easy_strerror(rc));
        return -1;
    }
    return 0;
nomem:
    mcp_errf(err, "out of memory");
    return -1;
}

static int init(void *ctx, const char *instance, char *err)
{
    struct webhook *w = ctx;
    char *url_owned = NULL;
    const char *url;

    (void)instance;
    mcp_buf_init(&w->body);
    mcp_buf_init(&w->resp);
    if ((w->url == NULL) == (w->url_file == NULL)) {
        mcp_errf(err, "set exactly one of 'url' and 'url_file'");
        return -1;
    }
    if (w->format == NULL || strcmp(w->format, "json") == 0) {
        w->am = false;
    } else if (strcmp(w->format, "alertmanager") == 0) {
        w->am = true;
    } else {
        mcp_errf(err, "format: '%s' is not json or alertmanager", w->format);
        return -1;
    }
    if (w->timeout <= 0 || w->connect_timeout <= 0) {
        mcp_errf(err, "%s must be longer than 0",
                 w->timeout <= 0 ? "timeout" : "connect_timeout");
        return -1;
    }
    if (w->firing_ttl < 0 || w->firing_ttl > 366LL * 86400000) {
        mcp_errf(err, "firing_ttl must be between 0s and 366d");
        return -1;
    }
    for (size_t i = 0; w->headers != NULL && w->headers[i] != NULL; i++)
        if (check_header(w->headers[i], i, err) != 0)
            return -1;
    if (w->url_file != NULL) {
        url_owned = read_url_file(w->url_file, err);
        if (url_owned == NULL)
            return -1;
    }
    url = url_owned != NULL ? url_owned : w->url;
    if (global_get(err) != 0) {
        free(url_owned);
        return -1;
    }
    w->global = true;
    w->target = target_url(url, w->am, err);
    free(url_owned);
    if (w->target == NULL) {
        cleanup(w);
        return -1;
    }
    w->shown = mcp_webhook_redact(w->target);
    if (setup_curl(w, err) != 0) {
        cleanup(w);
        return -1;
    }
    return 0;
}

/* Transport failures worth another try; the rest (a bad URL, a
 * certificate that does not verify, an unknown protocol) will not mend
 * by waiting. */
static bool transient(CURLcode rc)
{
    switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_LOGIN_DENIED:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_FUNCTION_NOT_FOUND:
        return false;
    default:
        return true;
    }
}

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum mcp_sink_result emit(void *ctx, const struct mcp_sink_alert *a,
                                 char *err)
{
    struct webhook *w = ctx;
    struct mcp_buf shown;
    long code = 0;
    CURLcode rc;
    size_t n;

    mcp_buf_reset(&w->body);
    mcp_buf_reset(&w->resp);
    if (w->am)
        mcp_webhook_am_body(&w->body, a, w->generator_url, wall_ms(),
                            w->firing_ttl);
    else
        mcp_sink_alert_json(&w->body, a);
    curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, w->body.data);
    curl_easy_setopt(w->curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t)w->body.len);
    w->errbuf[0] = '\0';
    rc = curl_easy_perform(w->curl);
    if (rc != CURLE_OK) {
        mcp_errf(err, "POST %s: %s", w->shown,
                 w->errbuf[0] != '\0' ? w->errbuf : curl_easy_strerror(rc));
        return transient(rc) ? MCP_SINK_RETRY : MCP_SINK_FAIL;
    }
    curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200 && code < 300)
        return MCP_SINK_OK;

    /* The start of the answer's first line helps ("start time must be
     * before end time"); it is the server's text, so it is sanitized. */
    mcp_buf_init(&shown);
    if (w->resp.data != NULL) {
        n = strcspn(w->resp.data, "\r\n");
        if (n > RESP_SHOW)
            n = RESP_SHOW;
        mcp_sanitize_term(&shown, w->resp.data, n);
    }
    mcp_errf(err, "POST %s: HTTP %ld%s%s%s", w->shown, code,
             code >= 300 && code < 400 ? " (redirects are not followed)" : "",
             shown.len > 0 ? ": " : "", shown.data != NULL ? shown.data : "");
    mcp_buf_free(&shown);
    if (code >= 500 || code == 408 || code == 429)
        return MCP_SINK_RETRY;
    return MCP_SINK_FAIL;
}

static void destroy(void *ctx)
{
    cleanup(ctx);
}

static const struct mcp_opt opts[] = {
    MCP_OPT("url", MCP_OPT_STR, NULL, false, offsetof(struct webhook, url),
            "http:// or https:// URL to POST to (or url_file)"),
    MCP_OPT("url_file", MCP_OPT_STR, NULL, false,
            offsetof(struct webhook, url_file),
            "file whose first line is the URL, to keep it out of this file"),
    MCP_OPT("format", MCP_OPT_STR, "json", false,
            offsetof(struct webhook, format),
            "json (the alert object) or alertmanager (POST /api/v2/alerts)"),
    MCP_OPT("timeout", MCP_OPT_DURATION, "10s", false,
            offsetof(struct webhook, timeout), "limit for the whole request"),
    MCP_OPT("connect_timeout", MCP_OPT_DURATION, "5s", false,
            offsetof(struct webhook, connect_timeout), "limit for connecting"),
    MCP_OPT("headers", MCP_OPT_STRLIST, NULL, false,
            offsetof(struct webhook, headers),
            "extra request headers, \"Name: value\" (values are never "
            "printed)"),
    MCP_OPT("generator_url", MCP_OPT_STR, NULL, false,
            offsetof(struct webhook, generator_url),
            "alertmanager: generatorURL (default mcplog://HOST/RULE)"),
    MCP_OPT("firing_ttl", MCP_OPT_DURATION, "24h", false,
            offsetof(struct webhook, firing_ttl),
            "alertmanager: endsAt of a firing alert is now + this; 0s omits "
            "it"),
    {0},
};

/* The URL redacted as in every message; a url_file is not read here. */
static void target(const void *ctx, char *buf, size_t len)
{
    const struct webhook *w = ctx;
    const char *fmt = w->format != NULL && strcmp(w->format, "alertmanager")
                                               == 0 ? " (alertmanager)" : "";

    if (w->url != NULL) {
        char *shown = mcp_webhook_redact(w->url);

        snprintf(buf, len, "%s%s", shown, fmt);
        free(shown);
    } else {
        snprintf(buf, len, "url from %s%s",
                 w->url_file != NULL ? w->url_file : "?", fmt);
    }
}

const struct mcp_sink_ops mcp_sink_webhook = {
    .name = "webhook",
    .help = "POST alerts as JSON over HTTP(S); Alertmanager format too",
    .opts = opts,
    .ctx_size = sizeof(struct webhook),
    .init = init,
    .emit = emit,
    .flush = NULL,
    .destroy = destroy,
    .target = target,
};
