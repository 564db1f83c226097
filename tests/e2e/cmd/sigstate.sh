#!/bin/sh
# sigstate.sh DIR: a program for the command sink's tests. grep, exec'd
# in place of the shell, writes its own blocked and ignored signal masks
# (from /proc) to DIR/sigstate: the ones mcplog started the shell with (a
# non-interactive shell blocks nothing and keeps inherited ignores).
exec grep -E '^(SigBlk|SigIgn):' /proc/self/status > "$1/sigstate"
