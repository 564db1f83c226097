#!/bin/sh
# Make docs/img/desktop-notification.png: a critical reconnect-failures
# alert as dunst shows it, sent by `mcplog sinks test` through the desktop
# sink (libnotify) on a private session (desktop_env.sh: dbus-daemon, Xvfb,
# dunst).
# Not part of `make check`.
#
#   sh tests/e2e/make_screenshot.sh [OUT.png]
#
# Needs, besides the test dependencies, xwd (x11-apps) and ImageMagick
# (imagemagick); set CONVERT to pick the convert binary.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/docs/img/desktop-notification.png}
MCPLOG=${MCPLOG:-$ROOT/mcplog}
if [ -z "${CONVERT:-}" ]; then
    for c in convert-im6.q16 magick /usr/bin/convert; do
        command -v "$c" >/dev/null 2>&1 && CONVERT=$c && break
    done
fi
for c in xwd "${CONVERT:-convert}" "$MCPLOG"; do
    command -v "$c" >/dev/null 2>&1 || {
        echo "make_screenshot: $c not found (apt-get install x11-apps imagemagick; make)" >&2
        exit 2
    }
done

T=$(mktemp -d)
DE_SCREEN=800x320x24
. "$ROOT/tests/e2e/desktop_env.sh"
cleanup() {
    desktop_env_stop
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$T" || exit 1
unset XDG_RUNTIME_DIR
HOME=$T

cat >"$T/dunstrc" <<'EOF'
[global]
    font = DejaVu Sans 11
    width = 720
    origin = top-left
    offset = 20x20
    padding = 12
    horizontal_padding = 14
    frame_width = 2
    corner_radius = 4
    icon_position = off
    markup = full
    format = "<span size='small' foreground='#d9a0a4'>%a</span>\n<b>%s</b>\n%b"
    show_age_threshold = -1
    idle_threshold = 0
[urgency_critical]
    background = "#2a1215"
    foreground = "#f2e8e8"
    frame_color = "#e0454f"
    timeout = 0
EOF
cat >mcplog.yaml <<'EOF'
sinks:
  desktop:
    type: desktop
EOF

desktop_env_start && desktop_dunst_start || exit 1
"$MCPLOG" sinks test desktop --config mcplog.yaml --rule reconnect-failures \
    --severity critical --count 9 --label server=hestai \
    --summary '9 failed reconnects to hestai (more than 5 in 1h): stale server processes are likely' \
    --line '<local-command-stdout>Failed to reconnect to hestai.</local-command-stdout>' ||
    exit 1
shown() { [ "$(dunstctl count displayed 2>/dev/null)" = 1 ]; }
de_poll 10 shown || { echo "make_screenshot: dunst shows nothing" >&2; exit 1; }
sleep 0.5 # let dunst paint

xwd -root -silent -display "$DISPLAY" >screen.xwd || exit 1
"$CONVERT" xwd:screen.xwd -trim +repage -bordercolor black -border 12 \
    -strip +dither -colors 64 png8:"$OUT" || exit 1
echo "make_screenshot: wrote $OUT ($(wc -c <"$OUT") bytes)"
