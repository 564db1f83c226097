#!/bin/sh
# The one list of what mcplog needs on a Debian machine. Used by the README,
# `make check` (with --check) and .ci/run (to install).
#
#   sh tests/deps.sh           install the packages (root, or sudo)
#   sh tests/deps.sh --check   only verify; print what is missing
#   sh tests/deps.sh --list    print the package names
set -eu

PACKAGES="
build-essential
pkg-config
libpcre2-dev
zlib1g-dev
libyaml-dev
libcmocka-dev
clang
libclang-rt-dev
python3
gzip
valgrind
time
strace
tmux
logrotate
libnotify-dev
libcurl4-openssl-dev
dbus
dbus-bin
xvfb
dunst
prometheus-alertmanager
systemd
util-linux
"

# What --check looks for: commands and pkg-config modules.
COMMANDS="cc make pkg-config python3 gzip zcat clang valgrind tmux strace dbus-daemon dbus-monitor Xvfb dunst prometheus-alertmanager busctl dunstctl dbus-send unshare"
MODULES="libpcre2-8 zlib yaml-0.1 cmocka libnotify libcurl"

list() {
    for p in $PACKAGES; do echo "$p"; done
}

check() {
    missing=""
    for c in $COMMANDS; do
        command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
    done
    [ -x /usr/bin/time ] || missing="$missing /usr/bin/time"
    [ -x /usr/sbin/logrotate ] || missing="$missing logrotate"
    if command -v pkg-config >/dev/null 2>&1; then
        for m in $MODULES; do
            pkg-config --exists "$m" || missing="$missing $m(pkg-config)"
        done
    fi
    if [ -n "$missing" ]; then
        echo "mcplog: missing build or test dependencies:$missing" >&2
        echo "mcplog: install them with: sudo sh tests/deps.sh" >&2
        exit 2
    fi
}

case "${1:-}" in
--check)
    check
    ;;
--list)
    list
    ;;
"")
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    # shellcheck disable=SC2046
    $sudo apt-get install -y -qq --no-install-recommends $(list) >/dev/null
    check
    echo "mcplog: dependencies installed"
    ;;
*)
    echo "usage: sh tests/deps.sh [--check|--list]" >&2
    exit 2
    ;;
esac
