/* follow_watch.c - follow's inotify watches: the families' folders, and
 * each open file's inode (through /proc/self/fd, so that a file renamed
 * or deleted away still wakes the loop). Events only mean "look again":
 * a lost one, a full queue or an exhausted watch limit costs latency,
 * never lines (the safety timer looks at everything every second). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "base/util.h"
#include "input/follow.h"
#include "input/follow_int.h"

/* The folder watch leaves IN_MODIFY to the open files' own watches: with
 * both, every write queues two alternating events that the kernel cannot
 * merge, and a fast writer floods the queue. */
#define DIR_EVENTS                                                           \
    (IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_ATTRIB |      \
     IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)
#define FILE_EVENTS (IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)

int mcp_follow_inotify(struct mcp_follow *f, char *err)
{
    f->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (f->ifd < 0) {
        mcp_errf(err, "inotify: %s", strerror(errno));
        return -1;
    }
    return f->ifd;
}

void follow_watch_dirs(struct mcp_follow *f)
{
    if (f->ifd < 0)
        return;
    for (size_t d = 0; d < f->ndirs; d++) {
        if (f->dir_wd[d] >= 0)
            continue;
        f->dir_wd[d] = inotify_add_watch(f->ifd, f->dirs[d], DIR_EVENTS);
        if (f->dir_wd[d] < 0 && errno == ENOSPC) {
            follow_notice(f, "inotify watches exhausted: polling %s every second",
                   f->dirs[d]);
            f->dir_wd[d] = -2; /* the safety timer covers it */
        }
    }
}

void follow_watch_tail(struct mcp_follow *f, struct mcp_tail *t)
{
    char proc[64];

    if (f->ifd < 0)
        return;
    /* Watch the inode itself (through /proc, not by name: the name may
     * already point elsewhere), so writes to a renamed or deleted file
     * still wake us. */
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", t->fd);
    t->wd = inotify_add_watch(f->ifd, proc, FILE_EVENTS);
}

bool mcp_follow_drain_inotify(struct mcp_follow *f)
{
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    bool any = false;
    ssize_t n;

    /* Bounded: what is left wakes the loop again (level-triggered). */
    for (int k = 0; k < 64 && (n = read(f->ifd, buf, sizeof(buf))) > 0;
         k++) {
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;

            if (ev->mask & IN_Q_OVERFLOW)
                follow_notice(f, "inotify queue overflow: rescanning everything");
            if (ev->mask & IN_IGNORED)
                for (size_t d = 0; d < f->ndirs; d++)
                    if (f->dir_wd[d] == ev->wd)
                        f->dir_wd[d] = -1; /* folder gone: watch again */
            p += sizeof(*ev) + ev->len;
        }
        any = true;
    }
    return any;
}

void follow_unwatch_tail(struct mcp_follow *f, struct mcp_tail *t)
{
    if (f->ifd >= 0 && t->wd >= 0)
        inotify_rm_watch(f->ifd, t->wd);
}
