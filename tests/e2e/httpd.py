"""A scriptable local HTTP server for the webhook tests (stdlib only).

    python3 httpd.py --port-file FILE --log FILE [--script LIST]

Listens on 127.0.0.1 on a free port and writes the port number to
--port-file once it accepts connections (written to a temporary name and
renamed, so a reader never sees half of it). Each request is answered by
the next entry of --script (comma-separated; the last entry repeats once
the list is used up; default "200"):

    CODE             reply CODE at once, body "httpd.py: CODE\\n"
    slow:SECS        wait SECS seconds, then reply 200
    slow:SECS:CODE   wait SECS seconds, then reply CODE
    close            close the connection without a reply

Every request is logged as one JSON line to --log when it arrives (before
any wait), flushed at once:
    {"n": 1, "time": 1765375200.123, "method": "POST", "path": "/hook",
     "headers": [["Host", "..."], ...], "body": "...", "peer": 54321,
     "reply": "500"}
"time" is time.time() at arrival; "peer" is the client's port (the same
port for two requests means one kept-alive connection); "body" is the
request body decoded as UTF-8 (invalid bytes as U+FFFD).

SIGTERM or SIGINT stops it (status 0).
"""
import argparse
import http.server
import json
import os
import signal
import socketserver
import sys
import threading
import time


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--script", default="200")
    args = ap.parse_args()

    script = args.script.split(",")
    lock = threading.Lock()
    state = {"n": 0}
    log = open(args.log, "a", encoding="utf-8")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def handle_one(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n > 0 else b""
            with lock:
                state["n"] += 1
                idx = state["n"]
                entry = script[min(idx, len(script)) - 1]
                rec = {
                    "n": idx,
                    "time": time.time(),
                    "method": self.command,
                    "path": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body": body.decode("utf-8", "replace"),
                    "peer": self.client_address[1],
                    "reply": entry,
                }
                log.write(json.dumps(rec) + "\n")
                log.flush()
            code = 200
            parts = entry.split(":")
            if parts[0] == "close":
                self.close_connection = True
                return
            if parts[0] == "slow":
                time.sleep(float(parts[1]))
                if len(parts) > 2:
                    code = int(parts[2])
            else:
                code = int(parts[0])
            out = ("httpd.py: %d\n" % code).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
                self.wfile.flush()
            except OSError:
                self.close_connection = True

        do_POST = handle_one
        do_GET = handle_one
        do_PUT = handle_one

    srv = Server(("127.0.0.1", 0), Handler)

    def stop(signum, frame):
        log.flush()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
