#!/bin/sh
# hang.sh DIR [MODE]: a program for the command sink's timeout tests. It
# records its pid (DIR/child.pid), starts a grandchild `sleep 1000` in the
# background (DIR/grandchild.pid) and waits for it, forever.
#   MODE ignore-term:   the child ignores SIGTERM (so does the grandchild,
#                       which inherits that), so only SIGKILL ends them
#   MODE gc-ignores-term: only the grandchild ignores SIGTERM
d=$1
[ "${2:-}" = ignore-term ] && trap '' TERM
if [ "${2:-}" = gc-ignores-term ]; then
    (trap '' TERM; exec sleep 1000) &
else
    sleep 1000 &
fi
echo $! > "$d/grandchild.pid.tmp" && mv "$d/grandchild.pid.tmp" "$d/grandchild.pid"
echo $$ > "$d/child.pid.tmp" && mv "$d/child.pid.tmp" "$d/child.pid"
wait
