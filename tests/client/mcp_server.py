#!/usr/bin/env python3
"""A small stdio MCP server for the client tests (Python 3, stdlib only).

    python3 mcp_server.py --mode MODE --tag TAG --pid-dir DIR [--root DIR]

It speaks newline-delimited JSON-RPC 2.0 on stdin/stdout: initialize,
notifications/initialized, tools/list, tools/call, ping. Modes:

  hestai  logs like hestai-mcp-server (docs: LOG-FORMAT.md) to stderr and to
          ROOT/logs/mcp_server.log and ROOT/logs/mcp_activity.log; tools
          `chat` (succeeds) and `debug` (returns an isError result)
  crash   dies of a missing module (a real traceback on stderr, exit 1)
          before it reads initialize
  slow    sleeps SLOW_SECONDS (default 20) before it reads initialize, so a
          client with a shorter MCP_TIMEOUT gives up on it; it then serves
  stdout  prints a non-JSON line to stdout before its initialize reply and
          another after its tools/list reply (stdout pollution); writes a
          stderr line right before its initialize reply
  dies    serves `boom`; a call to it writes a traceback and exits 3

Every process writes its PID to DIR/MODE.TAG.PID at start, and TAG is on
its command line, so the driver can find the processes of one run (and only
those) after the client is gone; the file's first line is "PID ppid=N" (the
client). A SIGINT, SIGTERM or SIGHUP appends "EPOCH_MS NAME ppid=N" to it before the server ends (SIGINT quietly,
as hestai does; the others with exit code 128+N). Each process ends by itself after
LIFETIME_SECONDS (default 60) so nothing outlives a broken run for long.
"""
import argparse
import json
import logging
import logging.handlers
import os
import signal
import sys
import time

SERVER_VERSION = "5.8.2-test"


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", required=True,
                   choices=["hestai", "crash", "slow", "stdout", "dies"])
    p.add_argument("--tag", required=True)
    p.add_argument("--pid-dir", required=True)
    p.add_argument("--root", default=os.path.dirname(os.path.abspath(__file__)))
    return p.parse_args()


class LocalTimeFormatter(logging.Formatter):
    """hestai's formatter: local time, comma, milliseconds."""

    def formatTime(self, record, datefmt=None):
        ct = self.converter(record.created)
        return "%s,%03d" % (time.strftime("%Y-%m-%d %H:%M:%S", ct), record.msecs)


def hestai_logging(root):
    """The handler set-up of hestai's server.py (section 1.1 of LOG-FORMAT.md)."""
    fmt = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
    rl = logging.getLogger()
    rl.handlers.clear()
    rl.setLevel(logging.DEBUG)
    h = logging.StreamHandler(sys.stderr)
    h.setFormatter(LocalTimeFormatter(fmt))
    rl.addHandler(h)
    logdir = os.path.join(root, "logs")
    os.makedirs(logdir, exist_ok=True)
    fh = logging.handlers.RotatingFileHandler(
        os.path.join(logdir, "mcp_server.log"), maxBytes=20 * 1024 * 1024,
        backupCount=5, encoding="utf-8")
    fh.setFormatter(LocalTimeFormatter(fmt))
    rl.addHandler(fh)
    act = logging.getLogger("mcp_activity")
    ah = logging.handlers.RotatingFileHandler(
        os.path.join(logdir, "mcp_activity.log"), maxBytes=10 * 1024 * 1024,
        backupCount=2, encoding="utf-8")
    ah.setLevel(logging.INFO)
    ah.setFormatter(LocalTimeFormatter("%(asctime)s - %(message)s"))
    act.addHandler(ah)
    act.setLevel(logging.INFO)
    act.propagate = True
    logging.info("Logging to: %s", os.path.join(logdir, "mcp_server.log"))
    logging.info("Process PID: %d", os.getpid())
    logging.getLogger("mcp.server.lowlevel.server").debug(
        "Initializing server 'hestai-server'")
    main = logging.getLogger("__main__")
    main.info("All tools enabled (DISABLED_TOOLS not set)")
    main.info("HestAI MCP Server starting up...")
    main.info("Log level: DEBUG")
    main.info("Available tools: ['chat', 'debug']")
    main.info("Server ready - waiting for tool requests...")
    return main, act


def send(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def reply(mid, result):
    send({"jsonrpc": "2.0", "id": mid, "result": result})


def text_result(text, is_error=False):
    r = {"content": [{"type": "text", "text": text}]}
    if is_error:
        r["isError"] = True
    return r


TOOLS = {
    "hestai": [("chat", "Answer a prompt (test tool)."),
               ("debug", "Always fails (test tool).")],
    "dies": [("boom", "Kills the server (test tool).")],
}


def tool_list(mode):
    return [{"name": n, "description": d,
             "inputSchema": {"type": "object",
                             "properties": {"prompt": {"type": "string"}}}}
            for n, d in TOOLS.get(mode, [("echo", "Echo (test tool).")])]


def crash_now(code, where):
    """A real traceback on stderr, then exit."""
    try:
        raise RuntimeError("test server %s: simulated crash %s" % (os.getpid(), where))
    except RuntimeError:
        import traceback
        traceback.print_exc(file=sys.stderr)
        sys.stderr.flush()
    os._exit(code)


def main():
    a = parse_args()
    lifetime = float(os.environ.get("LIFETIME_SECONDS", "60"))
    signal.signal(signal.SIGALRM, lambda s, f: os._exit(0))
    signal.alarm(max(1, int(lifetime)))
    pid_file = os.path.join(a.pid_dir, "%s.%s.%d" % (a.mode, a.tag, os.getpid()))
    with open(pid_file, "w") as f:
        f.write("%d ppid=%d\n" % (os.getpid(), os.getppid()))

    def on_signal(sig, frame):
        # Notes who stopped the server: one line per signal in its PID file.
        with open(pid_file, "a") as f:
            f.write("%d %s ppid=%d\n" % (time.time() * 1000,
                                         signal.Signals(sig).name, os.getppid()))
        if sig == signal.SIGINT:
            raise KeyboardInterrupt
        os._exit(128 + sig)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    log = act = None
    if a.mode == "hestai":
        log, act = hestai_logging(a.root)
    else:
        sys.stderr.write("%s server %s starting, pid %d\n" % (a.mode, a.tag, os.getpid()))
        sys.stderr.flush()
    if a.mode == "crash":
        # The classic start-up death: a missing dependency, a real traceback.
        import mcp_missing_dependency_for_test  # noqa: F401
    if a.mode == "slow":
        time.sleep(float(os.environ.get("SLOW_SECONDS", "20")))

    client = {}
    sdk = logging.getLogger("mcp.server.lowlevel.server")
    for line in sys.stdin:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        mid = msg.get("id")
        method = msg.get("method", "")
        if method == "initialize":
            client = msg.get("params", {}).get("clientInfo") or {}
            if a.mode == "stdout":
                print("Loading: stdout pollution before the initialize reply", flush=True)
                # stderr at the very moment of the handshake (a race in the client)
                sys.stderr.write("stdout server: answering initialize\n")
                sys.stderr.flush()
            reply(mid, {"protocolVersion": msg.get("params", {}).get(
                "protocolVersion", "2025-06-18"),
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "%s-test" % a.mode, "version": SERVER_VERSION}})
        elif method == "notifications/initialized":
            # hestai's first line after the handshake (LOG-FORMAT.md 3.2): it
            # is written while the client finishes connecting.
            if log:
                sdk.debug("Received message: root=InitializedNotification("
                          "method='notifications/initialized', params=None, jsonrpc='2.0')")
        elif method == "tools/list":
            if log:
                sdk.info("Processing request of type ListToolsRequest")
                sdk.debug("Dispatching request of type ListToolsRequest")
                log.debug("MCP client requested tool list")
                log.info("MCP Client Connected: Claude")
                act.info("MCP_CLIENT_INFO: Claude (raw=%s v%s)" %
                         (client.get("name", "unknown"), client.get("version", "unknown")))
                log.debug("Returning %d tools to MCP client", len(tool_list(a.mode)))
            reply(mid, {"tools": tool_list(a.mode)})
            if log:
                sdk.debug("Response sent")
            if a.mode == "stdout":
                print("DEBUG: stdout pollution after the tools/list reply", flush=True)
        elif method == "tools/call":
            p = msg.get("params", {})
            name = p.get("name", "")
            args = p.get("arguments") or {}
            if a.mode == "dies":
                crash_now(3, "during tool call %s" % name)
            if log:
                sdk.info("Processing request of type CallToolRequest")
                log.info("MCP tool call: %s", name)
                act.info("TOOL_CALL: %s with %d arguments" % (name, len(args)))
            if name == "debug":
                if log:
                    logging.getLogger("tools.debug").error(
                        "debug tool failed: simulated provider error 503")
                reply(mid, text_result("debug failed: simulated provider error 503", True))
            else:
                if log:
                    log.info("Tool '%s' execution completed", name)
                    act.info("TOOL_COMPLETED: %s" % name)
                reply(mid, text_result("%s ok from pid %d" % (name, os.getpid())))
        elif method == "ping":
            reply(mid, {})
        elif mid is not None:
            send({"jsonrpc": "2.0", "id": mid,
                  "error": {"code": -32601, "message": "Method not found"}})
    if log:
        logging.getLogger("utils.session_manager").info("Cleanup task cancelled.")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        # hestai's run() ends quietly on SIGINT, the client's first signal.
        pass
