/* pager.c - stdout through $PAGER on a terminal (pager.h). The pager
 * stays in mcplog's process group so that it owns the terminal as a
 * foreground job; the command is the user's own $PAGER, run by sh as
 * git and man run it (nothing from a log is in it). */
#include "cli/pager.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void mcp_pager_start(struct mcp_pager *p)
{
    const char *pager = getenv("PAGER");
    int fds[2];
    pid_t pid;

    p->pid = 0;
    p->saved_out = -1;
    if (!isatty(STDOUT_FILENO))
        return;
    if (pager == NULL)
        pager = "less";
    if (pager[0] == '\0' || strcmp(pager, "cat") == 0)
        return;
    fflush(stdout);
    if (pipe(fds) != 0)
        return;
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return;
    }
    if (pid == 0) {
        dup2(fds[0], STDIN_FILENO);
        close(fds[0]);
        close(fds[1]);
        setenv("LESS", "FRX", 0);
        execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    signal(SIGPIPE, SIG_IGN);
    p->saved_out = dup(STDOUT_FILENO);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[1]);
    p->pid = pid;
}

bool mcp_pager_finish(struct mcp_pager *p)
{
    int status;

    if (p->pid == 0)
        return false;
    fflush(stdout);
    dup2(p->saved_out, STDOUT_FILENO);
    close(p->saved_out);
    while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
        ;
    p->pid = 0;
    return true;
}
