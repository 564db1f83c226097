#!/bin/sh
# leave.sh DIR [MODE]: a program for the command sink's tests that exits 0
# at once, leaving a grandchild behind that still holds the command's
# stdout and stderr (DIR/grandchild.pid).
#   MODE quiet:  the grandchild is `sleep 1000`
#   MODE chatty: the grandchild writes to stderr without end (`yes`)
d=$1
if [ "${2:-quiet}" = chatty ]; then
    yes 'grandchild noise' >&2 &
else
    sleep 1000 &
fi
echo $! > "$d/grandchild.pid.tmp" && mv "$d/grandchild.pid.tmp" "$d/grandchild.pid"
exit 0
