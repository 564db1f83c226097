/* evloop.c - epoll + timerfd + signalfd. */
#include "base/evloop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

#define MAX_EVENTS 32

struct watch {
    int fd;
    mcp_fd_fn fn;
    void *arg;
    struct watch *next;
    bool dead;
};

struct mcp_evtimer {
    int fd;
    mcp_timer_fn fn;
    void *arg;
    struct mcp_evtimer *next;
};

struct mcp_evloop {
    int ep;
    bool stop;
    uint64_t wakeups;
    struct watch *watches;
    struct mcp_evtimer *timers;
    int sigfd;
    mcp_signal_fn sigfn;
    void *sigarg;
};

struct mcp_evloop *mcp_evloop_create(char *err)
{
    struct mcp_evloop *l = mcp_calloc(1, sizeof(*l));

    l->ep = epoll_create1(EPOLL_CLOEXEC);
    l->sigfd = -1;
    if (l->ep < 0) {
        mcp_errf(err, "epoll_create1: %s", strerror(errno));
        free(l);
        return NULL;
    }
    return l;
}

int mcp_evloop_add_fd(struct mcp_evloop *l, int fd, uint32_t events,
                      mcp_fd_fn fn, void *arg, char *err)
{
    struct watch *w = mcp_calloc(1, sizeof(*w));
    struct epoll_event ev = {.events = events, .data.ptr = w};

    w->fd = fd;
    w->fn = fn;
    w->arg = arg;
    if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        mcp_errf(err, "epoll_ctl: %s", strerror(errno));
        free(w);
        return -1;
    }
    w->next = l->watches;
    l->watches = w;
    return 0;
}

void mcp_evloop_del_fd(struct mcp_evloop *l, int fd)
{
    /* Marked dead, freed after the current round of events: a callback
     * may remove a descriptor whose event is still in the batch. */
    for (struct watch *w = l->watches; w != NULL; w = w->next)
        if (w->fd == fd && !w->dead) {
            epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
            w->dead = true;
        }
}

int mcp_evloop_mod_fd(struct mcp_evloop *l, int fd, uint32_t events)
{
    for (struct watch *w = l->watches; w != NULL; w = w->next)
        if (w->fd == fd && !w->dead) {
            struct epoll_event ev = {.events = events, .data.ptr = w};

            return epoll_ctl(l->ep, EPOLL_CTL_MOD, fd, &ev);
        }
    return -1;
}

static void on_timerfd(int fd, uint32_t events, void *arg)
{
    struct mcp_evtimer *t = arg;
    uint64_t n;

    (void)events;
    if (read(fd, &n, sizeof(n)) == (ssize_t)sizeof(n))
        t->fn(t, t->arg);
}

struct mcp_evtimer *mcp_evloop_add_timer(struct mcp_evloop *l,
                                         mcp_timer_fn fn, void *arg,
                                         char *err)
{
    struct mcp_evtimer *t = mcp_calloc(1, sizeof(*t));

    t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    t->fn = fn;
    t->arg = arg;
    if (t->fd < 0 ||
        mcp_evloop_add_fd(l, t->fd, EPOLLIN, on_timerfd, t, err) != 0) {
        mcp_errf(err, "timerfd: %s", strerror(errno));
        if (t->fd >= 0)
            close(t->fd);
        free(t);
        return NULL;
    }
    t->next = l->timers;
    l->timers = t;
    return t;
}

static struct timespec ms_ts(int64_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000,
                          .tv_nsec = (long)(ms % 1000) * 1000000};

    return ts;
}

void mcp_evtimer_arm(struct mcp_evtimer *t, int64_t delay_ms,
                     int64_t interval_ms)
{
    struct itimerspec it = {.it_value = ms_ts(delay_ms > 0 ? delay_ms : 1),
                            .it_interval = ms_ts(interval_ms)};

    timerfd_settime(t->fd, 0, &it, NULL);
}

void mcp_evtimer_arm_now(struct mcp_evtimer *t)
{
    struct itimerspec it = {.it_value = {.tv_sec = 0, .tv_nsec = 1}};

    timerfd_settime(t->fd, 0, &it, NULL);
}

void mcp_evtimer_disarm(struct mcp_evtimer *t)
{
    struct itimerspec it;

    memset(&it, 0, sizeof(it));
    timerfd_settime(t->fd, 0, &it, NULL);
}

static void on_signalfd(int fd, uint32_t events, void *arg)
{
    struct mcp_evloop *l = arg;
    struct signalfd_siginfo si;

    (void)events;
    while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
        l->sigfn((int)si.ssi_signo, l->sigarg);
}

int mcp_evloop_signals(struct mcp_evloop *l, const int *sigs, int n,
                       mcp_signal_fn fn, void *arg, char *err)
{
    sigset_t set;

    sigemptyset(&set);
    for (int i = 0; i < n; i++)
        sigaddset(&set, sigs[i]);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
        mcp_errf(err, "sigprocmask: %s", strerror(errno));
        return -1;
    }
    l->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (l->sigfd < 0) {
        mcp_errf(err, "signalfd: %s", strerror(errno));
        return -1;
    }
    l->sigfn = fn;
    l->sigarg = arg;
    return mcp_evloop_add_fd(l, l->sigfd, EPOLLIN, on_signalfd, l, err);
}

static void reap(struct mcp_evloop *l)
{
    struct watch **pp = &l->watches;

    while (*pp != NULL) {
        struct watch *w = *pp;

        if (w->dead) {
            *pp = w->next;
            free(w);
        } else {
            pp = &w->next;
        }
    }
}

int mcp_evloop_run(struct mcp_evloop *l)
{
    struct epoll_event evs[MAX_EVENTS];

    l->stop = false;
    while (!l->stop) {
        int n = epoll_wait(l->ep, evs, MAX_EVENTS, -1);

        l->wakeups++;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        for (int i = 0; i < n && !l->stop; i++) {
            struct watch *w = evs[i].data.ptr;

            if (!w->dead)
                w->fn(w->fd, evs[i].events, w->arg);
        }
        reap(l);
    }
    return 0;
}

void mcp_evloop_stop(struct mcp_evloop *l)
{
    l->stop = true;
}

uint64_t mcp_evloop_wakeups(const struct mcp_evloop *l)
{
    return l->wakeups;
}

void mcp_evloop_destroy(struct mcp_evloop *l)
{
    if (l == NULL)
        return;
    while (l->timers != NULL) {
        struct mcp_evtimer *t = l->timers;

        l->timers = t->next;
        close(t->fd);
        free(t);
    }
    while (l->watches != NULL) {
        struct watch *w = l->watches;

        l->watches = w->next;
        free(w);
    }
    if (l->sigfd >= 0)
        close(l->sigfd);
    close(l->ep);
    free(l);
}
