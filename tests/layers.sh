#!/bin/sh
# tests/layers.sh - check every #include "..." of analyzer/ and sinks/
# against the layer rule (docs/architecture.md "Layers"):
#
#   main -> cli -> mcpserver -> top (scan, live, state) -> output, proc -> conf
#        -> engine -> match -> input -> base
#
# A file may include the headers of its own folder and of any lower
# layer; output and proc are one level and may not include each other;
# sinks/ includes only base and itself, and only output, conf and the
# layers above them include sinks. The folder of a file is its layer:
# analyzer/base, analyzer/input, ... analyzer/cli; a file at the top of
# analyzer/ is `top` (main.c is `main`).
#
# An include is resolved as the compiler does (-Ianalyzer -I.): the
# including file's folder, then analyzer/, then the repository root.
# Every violation is printed as
#   file:line: includes X (layer A may not include layer B)
# and the exit status is 1 when there is any. Usage: sh tests/layers.sh
# (from anywhere; `make layers` runs it).

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2

files=$(find analyzer sinks -name '*.[ch]' | LC_ALL=C sort)
[ -n "$files" ] || { echo "layers: no sources found" >&2; exit 2; }

# shellcheck disable=SC2086
awk '
function layer_of(path,    p, n, parts) {
    n = split(path, parts, "/")
    if (parts[1] == "sinks")
        return "sinks"
    if (parts[1] != "analyzer")
        return "outside"
    if (n == 2)
        return parts[2] == "main.c" ? "main" : "top"
    return parts[2]
}
function exists(p,    line, rc) {
    rc = (getline line < p)
    if (rc >= 0) {
        close(p)
        return 1
    }
    return 0
}
function dir_of(p) {
    sub(/\/[^\/]*$/, "", p)
    return p
}
# Whether a file of layer a may include a header of layer b.
function allowed(a, b) {
    if (!(a in rank) || !(b in rank))
        return 0
    if (a == b)
        return 1
    if (a == "sinks")
        return b == "base"
    if (b == "sinks")
        return a == "output" || a == "conf" || rank[a] > rank["output"]
    return rank[b] < rank[a]
}
BEGIN {
    rank["base"] = 0; rank["input"] = 1; rank["match"] = 2
    rank["engine"] = 3; rank["conf"] = 4; rank["proc"] = 5
    rank["output"] = 5; rank["top"] = 6; rank["mcpserver"] = 6.5
    rank["cli"] = 7; rank["main"] = 8
    rank["sinks"] = 0.5
    bad = 0
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
    inc = $0
    sub(/^[ \t]*#[ \t]*include[ \t]*"/, "", inc)
    sub(/".*$/, "", inc)
    here = dir_of(FILENAME) "/" inc
    if (exists(here))
        target = here
    else if (exists("analyzer/" inc))
        target = "analyzer/" inc
    else if (exists(inc))
        target = inc
    else {
        printf "%s:%d: includes %s (not found under %s, analyzer/ or ./)\n",
               FILENAME, FNR, inc, dir_of(FILENAME)
        bad++
        next
    }
    gsub(/\/\.\//, "/", target)
    a = layer_of(FILENAME)
    b = layer_of(target)
    if (!allowed(a, b)) {
        printf "%s:%d: includes %s (layer %s may not include layer %s)\n",
               FILENAME, FNR, inc, a, b
        bad++
    }
}
END {
    if (bad > 0) {
        printf "layers: %d include%s break the layer rule\n", bad,
               bad == 1 ? "" : "s"
        exit 1
    }
    print "layers: every include follows the layer rule"
}
' $files
