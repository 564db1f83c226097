# tests/e2e/desktop_env.sh - a private desktop session for the desktop
# sink's tests (sourced by t_desktop.sh and make_screenshot.sh).
#
# desktop_env_start     a private session bus (dbus-daemon with its own
#                       config: no service files, so nothing is
#                       bus-activated behind the test's back) and an Xvfb
#                       on a free display (-displayfd picks it); exports
#                       DBUS_SESSION_BUS_ADDRESS and DISPLAY
# desktop_activating_bus_start
#                       a second bus that bus-activates dunst, which
#                       cannot start there (no display)
# desktop_dunst_start   dunst with $T/dunstrc (written if missing); waits
#                       until it owns org.freedesktop.Notifications
# desktop_dunst_stop    stops that dunst and waits until the name is free
# desktop_fake_start LOG
#                       tests/e2e/fake_notifyd.py on the bus: owns the name,
#                       answers GetServerInformation, never answers Notify;
#                       logs each call it gets to LOG; waits until it owns
#                       the name
# desktop_fake_stop     stops it and waits until the name is free
# desktop_monitor_start FILE
#                       busctl monitor --json=short on the bus, for
#                       org.freedesktop.Notifications, into FILE; waits
#                       until it sees a probe call, so nothing is missed
# desktop_env_stop      stops everything above, by the PIDs recorded when
#                       each was started (trap it on EXIT), and the PIDs a
#                       test added to $DE_MORE; $DE_ALL lists every PID
#                       started (tests add theirs too)
# desktop_calls FILE DIR
#                       the Notify calls in a monitor FILE, one folder
#                       DIR/N per call (1, 2...): files app, replaces,
#                       icon, summary, body, actions, expire, hints (the
#                       names), hinttypes (name:type...), urgency, pid (the
#                       sender-pid hint), and id (from the method return);
#                       prints the number of calls
#
# Every wait is a poll with a bound; a bound passed is reported by the
# function's status (1) and a message on stderr.

DE_BUS_PID=
DE_X_PID=
DE_DUNST_PID=
DE_MON_PID=
DE_BUS2_PID=
DE_FAKE_PID=
DE_MORE=                # more PIDs to stop (added by a test)
DE_ALL=                 # every PID started, for a final "all gone" check

# de_poll SECONDS CMD...: run CMD every 50 ms until it succeeds.
de_poll() {
    _de_max=$(($1 * 20))
    shift
    _de_i=0
    while [ "$_de_i" -lt "$_de_max" ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.05
        _de_i=$((_de_i + 1))
    done
    return 1
}

# de_gone PID: whether the process is gone (or a zombie of ours).
de_gone() {
    [ ! -e "/proc/$1" ] && return 0
    case $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) in Z*) return 0 ;; esac
    return 1
}

# de_kill PID: SIGTERM, wait up to 5 s, then SIGKILL; reap it.
de_kill() {
    [ -n "$1" ] || return 0
    kill -CONT "$1" 2>/dev/null
    kill "$1" 2>/dev/null
    de_poll 5 de_gone "$1" || kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# de_has_owner: whether something owns org.freedesktop.Notifications.
de_has_owner() {
    dbus-send --session --print-reply --reply-timeout=2000 \
        --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner \
        string:org.freedesktop.Notifications 2>/dev/null |
        grep -q 'boolean true'
}
de_no_owner() {
    dbus-send --session --print-reply --reply-timeout=2000 \
        --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner \
        string:org.freedesktop.Notifications 2>/dev/null |
        grep -q 'boolean false'
}

# de_ready FILE PID: FILE has something in it, or PID has died (then
# waiting longer is pointless).
de_ready() { [ -s "$1" ] || de_gone "$2"; }
# de_owner_or_gone PID
de_owner_or_gone() { de_has_owner || de_gone "$1"; }

# desktop_bus_conf FILE SOCKET [SERVICEDIR]: a session bus config that
# listens on SOCKET and activates services from SERVICEDIR only (none
# without it).
desktop_bus_conf() {
    {
        echo '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"'
        echo ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">'
        echo '<busconfig>'
        echo '  <type>session</type>'
        echo "  <listen>unix:path=$2</listen>"
        echo '  <auth>EXTERNAL</auth>'
        [ -n "${3:-}" ] && echo "  <servicedir>$3</servicedir>"
        echo '  <policy context="default">'
        echo '    <allow send_destination="*" eavesdrop="true"/>'
        echo '    <allow eavesdrop="true"/>'
        echo '    <allow own="*"/>'
        echo '  </policy>'
        echo '</busconfig>'
    } >"$1"
}

desktop_env_start() {
    desktop_bus_conf "$T/bus.conf" "$T/bus"
    # --nofork: the daemon stays our child, so it can be waited for.
    dbus-daemon --config-file="$T/bus.conf" --nofork --print-address=1 \
        >"$T/bus.address" 2>"$T/bus.log" &
    DE_BUS_PID=$!
    DE_ALL="$DE_ALL $!"
    de_poll 10 de_ready "$T/bus.address" "$DE_BUS_PID"
    if [ ! -s "$T/bus.address" ]; then
        echo "desktop_env: dbus-daemon did not start: $(cat "$T/bus.log")" >&2
        return 1
    fi
    DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$T/bus.address")
    export DBUS_SESSION_BUS_ADDRESS

    # -displayfd: Xvfb takes the first free display and writes its number
    # when it accepts connections.
    Xvfb -displayfd 9 -screen 0 "${DE_SCREEN:-1024x768x24}" -nolisten tcp \
        -br 9>"$T/display" >"$T/xvfb.log" 2>&1 &
    DE_X_PID=$!
    DE_ALL="$DE_ALL $!"
    de_poll 20 de_ready "$T/display" "$DE_X_PID"
    if [ ! -s "$T/display" ]; then
        echo "desktop_env: Xvfb did not start: $(tail -n 5 "$T/xvfb.log")" >&2
        return 1
    fi
    DISPLAY=:$(head -n 1 "$T/display")
    export DISPLAY
    return 0
}

# desktop_activating_bus_start: a second bus, $DE_BUS2_ADDRESS, that
# bus-activates dunst for org.freedesktop.Notifications, with no DISPLAY
# (nor WAYLAND_DISPLAY) in its environment: the start fails.
desktop_activating_bus_start() {
    mkdir -p "$T/services"
    printf '[D-BUS Service]\nName=org.freedesktop.Notifications\nExec=%s -config %s/dunstrc\n' \
        "$(command -v dunst)" "$T" >"$T/services/org.freedesktop.Notifications.service"
    desktop_bus_conf "$T/bus2.conf" "$T/bus2" "$T/services"
    env -u DISPLAY -u WAYLAND_DISPLAY dbus-daemon --config-file="$T/bus2.conf" \
        --nofork --print-address=1 >"$T/bus2.address" 2>"$T/bus2.log" &
    DE_BUS2_PID=$!
    DE_ALL="$DE_ALL $!"
    de_poll 10 de_ready "$T/bus2.address" "$DE_BUS2_PID"
    DE_BUS2_ADDRESS=$(head -n 1 "$T/bus2.address")
    [ -n "$DE_BUS2_ADDRESS" ]
}

desktop_dunst_start() {
    [ -f "$T/dunstrc" ] || cat >"$T/dunstrc" <<'EOF'
[global]
    font = DejaVu Sans Mono 10
    width = 600
    origin = top-right
    offset = 10x10
    markup = full
    format = "<b>%s</b>\n%b"
    show_age_threshold = -1
    idle_threshold = 0
    history_length = 50
EOF
    dunst -config "$T/dunstrc" >"$T/dunst.log" 2>&1 &
    DE_DUNST_PID=$!
    DE_ALL="$DE_ALL $!"
    de_poll 20 de_owner_or_gone "$DE_DUNST_PID"
    if ! de_has_owner; then
        echo "desktop_env: dunst did not take the name: $(tail -n 5 "$T/dunst.log")" >&2
        return 1
    fi
    return 0
}

desktop_dunst_stop() {
    de_kill "$DE_DUNST_PID"
    DE_DUNST_PID=
    de_poll 10 de_no_owner
}

desktop_fake_start() {
    python3 "$ROOT/tests/e2e/fake_notifyd.py" "$DBUS_SESSION_BUS_ADDRESS" "$1" \
        >"$T/fake.log" 2>&1 &
    DE_FAKE_PID=$!
    DE_ALL="$DE_ALL $!"
    de_poll 20 de_owner_or_gone "$DE_FAKE_PID"
    if ! de_has_owner; then
        echo "desktop_env: fake_notifyd did not take the name: $(cat "$T/fake.log")" >&2
        return 1
    fi
    return 0
}

desktop_fake_stop() {
    de_kill "$DE_FAKE_PID"
    DE_FAKE_PID=
    de_poll 10 de_no_owner
}

# The probe is a GetServerInformation call: it carries the interface the
# monitor filters on, and its arrival in the file shows the monitor is on.
de_probe() {
    dbus-send --session --print-reply --reply-timeout=2000 \
        --dest=org.freedesktop.Notifications /org/freedesktop/Notifications \
        org.freedesktop.Notifications.GetServerInformation >/dev/null 2>&1
    grep -q '"member":"GetServerInformation"' "$1"
}

desktop_monitor_start() {
    busctl --address="$DBUS_SESSION_BUS_ADDRESS" monitor --json=short \
        org.freedesktop.Notifications >"$1" 2>"$1.err" &
    DE_MON_PID=$!
    DE_ALL="$DE_ALL $!"
    if ! de_poll 20 de_probe "$1"; then
        echo "desktop_env: the monitor sees nothing: $(cat "$1.err")" >&2
        return 1
    fi
    return 0
}

desktop_monitor_stop() {
    de_kill "$DE_MON_PID"
    DE_MON_PID=
}

desktop_env_stop() {
    de_kill "$DE_MON_PID"
    de_kill "$DE_DUNST_PID"
    de_kill "$DE_X_PID"
    de_kill "$DE_BUS_PID"
    de_kill "$DE_BUS2_PID"
    de_kill "$DE_FAKE_PID"
    for _de_p in $DE_MORE; do de_kill "$_de_p"; done
    DE_MON_PID= DE_DUNST_PID= DE_X_PID= DE_BUS_PID= DE_BUS2_PID= DE_FAKE_PID=
    DE_MORE=
}

desktop_calls() {
    python3 - "$1" "$2" <<'PY'
import json, os, sys
calls, ids = [], {}
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if not line.startswith("{"):
        continue
    m = json.loads(line)
    if m.get("type") == "method_call" and m.get("member") == "Notify":
        calls.append(m)
    elif m.get("type") == "method_return":
        ids[(m.get("destination"), m.get("reply_cookie"))] = m["payload"]
for n, m in enumerate(calls, 1):
    d = os.path.join(sys.argv[2], str(n))
    os.makedirs(d, exist_ok=True)
    app, replaces, icon, summary, body, actions, hints, expire = m["payload"]["data"]
    f = {
        "app": app, "replaces": replaces, "icon": icon, "summary": summary,
        "body": body, "actions": json.dumps(actions),
        "hints": " ".join(sorted(hints)),
        "hinttypes": " ".join("%s:%s" % (k, hints[k]["type"]) for k in sorted(hints)),
        "urgency": hints.get("urgency", {}).get("data", "none"),
        "pid": hints.get("sender-pid", {}).get("data", "none"),
        "expire": expire,
        "id": (lambda r: r["data"][0] if r and r.get("type") == "u" else "none")(
            ids.get((m.get("sender"), m.get("cookie")))),
    }
    for k, v in f.items():
        with open(os.path.join(d, k), "w", encoding="utf-8") as o:
            o.write(str(v))
print(len(calls))
PY
}
