#!/bin/sh
# The one list of what mcplog needs on a Debian machine. Used by the README,
# `make check` (with --check) and .ci/run (to install).
#
#   sh tests/deps.sh           install the packages (root, or sudo)
#   sh tests/deps.sh --check   only verify; print what is missing
#   sh tests/deps.sh --list    print the Debian package names
#
# Besides the Debian packages: Node.js and npm (Debian's nodejs and npm, only
# when `node` or `npm` is missing, so a Node.js installed otherwise is kept),
# and the real Claude Code CLI for tests/client, from npm at a pinned
# version, in a fixed prefix outside the git tree (MCPLOG_TEST_PREFIX,
# default /opt/mcplog-test): its `claude` is $CLIENT_PREFIX/node_modules/.bin/claude.
# In the same prefix, the MCP Inspector CLI (tests/e2e/t_mcp_clients.sh runs
# `mcp-inspector --cli` against `mcplog mcp`), pinned with its SDK.
set -eu

PACKAGES="
build-essential
pkg-config
libpcre2-dev
zlib1g-dev
libisal-dev
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
ripgrep
libnotify-dev
libcurl4-openssl-dev
libjson-c-dev
dbus
dbus-bin
xvfb
dunst
prometheus-alertmanager
prometheus
curl
systemd
util-linux
chromium
fonts-dejavu-core
zsh
"

# The MCP client the client tests run (tests/client/README.md). Pinned: its
# log wording is what tests/client/EXPECTED.md records.
CLIENT_PACKAGE="@anthropic-ai/claude-code"
CLIENT_VERSION="2.1.197"
CLIENT_PREFIX="${MCPLOG_TEST_PREFIX:-/opt/mcplog-test}/npm"
CLIENT_BIN="$CLIENT_PREFIX/node_modules/.bin/claude"
# The MCP Inspector: 0.15.0 is the newest that runs on Node 20 (0.16.0 and
# later want Node >= 22.7.5); its SDK pinned too (a caret range otherwise).
INSPECTOR_PACKAGE="@modelcontextprotocol/inspector"
INSPECTOR_VERSION="0.15.0"
INSPECTOR_SDK="@modelcontextprotocol/sdk@1.32.2"
INSPECTOR_BIN="$CLIENT_PREFIX/node_modules/.bin/mcp-inspector"

# What --check looks for: commands and pkg-config modules. libisal is
# optional for a build (make ISAL=0, or none found: zlib only) but checked
# here, so that `make check` tests both gzip decoders; rg is for make bench.
COMMANDS="cc make pkg-config python3 gzip zcat clang valgrind tmux strace dbus-daemon dbus-monitor Xvfb dunst prometheus-alertmanager amtool prometheus promtool curl busctl dunstctl dbus-send unshare nsenter node zsh bash rg chromium"
MODULES="libpcre2-8 zlib libisal yaml-0.1 cmocka libnotify libcurl json-c"

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
    client_ok || missing="$missing $CLIENT_PACKAGE@$CLIENT_VERSION($CLIENT_PREFIX)"
    inspector_ok || missing="$missing $INSPECTOR_PACKAGE@$INSPECTOR_VERSION($CLIENT_PREFIX)"
    if [ -n "$missing" ]; then
        echo "mcplog: missing build or test dependencies:$missing" >&2
        echo "mcplog: install them with: sudo sh tests/deps.sh" >&2
        exit 2
    fi
}

# True when the pinned client is installed and runs. --version touches no
# HOME and needs no network.
client_ok() {
    [ -x "$CLIENT_BIN" ] || return 1
    v=$(HOME=/nonexistent CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 \
        "$CLIENT_BIN" --version 2>/dev/null) || return 1
    [ "$v" = "$CLIENT_VERSION (Claude Code)" ]
}

# True when the pinned Inspector is installed (its package.json says the
# version; the CLI has no --version that works without a server).
inspector_ok() {
    [ -x "$INSPECTOR_BIN" ] || return 1
    v=$(node -p "require('$CLIENT_PREFIX/node_modules/$INSPECTOR_PACKAGE/package.json').version" \
        2>/dev/null) || return 1
    [ "$v" = "$INSPECTOR_VERSION" ]
}

# Node.js and npm from Debian when missing, then the pinned client into
# CLIENT_PREFIX; nothing to do when that exact version is there.
install_client() {
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
    fi
    $sudo mkdir -p "$CLIENT_PREFIX"
    inspector_ok || $sudo npm install --prefix "$CLIENT_PREFIX" --save-exact --no-audit \
        --no-fund --loglevel=error "$INSPECTOR_PACKAGE@$INSPECTOR_VERSION" "$INSPECTOR_SDK" >/dev/null
    client_ok && return 0
    $sudo npm install --prefix "$CLIENT_PREFIX" --save-exact --no-audit --no-fund \
        --loglevel=error "$CLIENT_PACKAGE@$CLIENT_VERSION" >/dev/null
    # The package's postinstall puts the native binary in place of a stub;
    # run it by hand when npm skipped install scripts.
    client_ok || $sudo node "$CLIENT_PREFIX/node_modules/$CLIENT_PACKAGE/install.cjs" >/dev/null
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
    install_client
    check
    echo "mcplog: dependencies installed"
    ;;
*)
    echo "usage: sh tests/deps.sh [--check|--list]" >&2
    exit 2
    ;;
esac
