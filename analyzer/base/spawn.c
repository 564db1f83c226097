/* spawn.c - the one way mcplog starts a child (spawn.h). */
#include "base/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

int mcp_spawn(pid_t *pid, const char *path, char *const argv[],
              char *const envp[], int in_fd, int err_fd, const char **what)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, all;
    int rc;

    sigemptyset(&none);
    sigfillset(&all);
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    if (in_fd >= 0)
        rc = posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
    else
        rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
                                              0);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
                                              0);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    if (rc == 0)
        rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    if (rc == 0)
        rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
                                                 POSIX_SPAWN_SETSIGMASK |
                                                 POSIX_SPAWN_SETSIGDEF);
    if (rc == 0)
        rc = posix_spawnattr_setpgroup(&attr, 0);
    if (rc == 0)
        rc = posix_spawnattr_setsigmask(&attr, &none);
    if (rc == 0)
        rc = posix_spawnattr_setsigdefault(&attr, &all);
    *what = "posix_spawn setup";
    if (rc == 0) {
        rc = posix_spawn(pid, path, &fa, &attr, argv, envp);
        *what = "cannot run";
    }
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return rc;
}
