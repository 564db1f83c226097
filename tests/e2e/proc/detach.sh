#!/bin/sh
# tests/e2e/proc/detach.sh [--launcher] CMD ARGS... - leave CMD running
# without its parent, as a client that gives up on a server does: start
# it in the background and exit at once, so that the kernel hands it to
# PID 1 of the PID namespace (t_orphans.sh runs this in its own). With
# --launcher, CMD runs under a shell that stays its parent (as a start
# script that does not exec would), and that shell is the one adopted;
# it writes its PID to the file CLIENT_PID names. Signals nothing.
if [ "$1" = --launcher ]; then
    shift
    sh -c 'echo $$ >"$CLIENT_PID"; "$@"; :' sh "$@" &
else
    "$@" &
fi
