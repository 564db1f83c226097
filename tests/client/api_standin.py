#!/usr/bin/env python3
"""A stand-in for the Anthropic Messages API on 127.0.0.1 (stdlib only).

    python3 api_standin.py --port-file F --log F --tools T1,T2,... \
        [--first-delay S] [--max-requests N] [--max-seconds S]

No real model can run here, so `claude -p` is pointed at this server with
ANTHROPIC_BASE_URL. It is not a model: it follows a fixed script. To a
POST /v1/messages whose request offers tools it answers, as streaming SSE
(or as one JSON message when `stream` is false), with a tool_use block for
the next tool of --tools (the Kth tool when the conversation already holds
K tool_result blocks), and once all were used with a text block "done." and
stop_reason end_turn. A request without tools (a side query of the client)
gets a short text answer. Anything else gets 404. --first-delay holds the
first tool_use answer back (like a model that thinks), so that the client's
slower MCP connections settle before the tool calls.

It binds port 0 (a free port chosen by the kernel), writes the port to
--port-file, appends one JSON line per request to --log, and exits after
--max-requests requests or --max-seconds seconds, whichever comes first.
"""
import argparse
import http.server
import json
import os
import sys
import threading
import time

MODEL = "claude-standin-test"


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--tools", default="")
    p.add_argument("--inputs", default="{}",
                   help="JSON object: tool name -> the input of its call "
                        "(default {\"prompt\": \"test call K\"})")
    p.add_argument("--first-delay", type=float, default=0.0)
    p.add_argument("--max-requests", type=int, default=40)
    p.add_argument("--max-seconds", type=float, default=60.0)
    return p.parse_args()


ARGS = None
STATE = {"requests": 0, "msg": 0, "lock": threading.Lock()}


def count_tool_results(messages):
    n = 0
    for m in messages or []:
        c = m.get("content")
        if isinstance(c, list):
            n += sum(1 for b in c if isinstance(b, dict) and b.get("type") == "tool_result")
    return n


def plan(body):
    """The content blocks and stop reason of the answer to one request."""
    script = [t for t in ARGS.tools.split(",") if t]
    if not body.get("tools"):
        return [{"type": "text", "text": "ok"}], "end_turn"
    k = count_tool_results(body.get("messages"))
    if k < len(script):
        if k == 0 and ARGS.first_delay > 0:
            time.sleep(ARGS.first_delay)
        with STATE["lock"]:
            STATE["msg"] += 1
            n = STATE["msg"]
        inputs = json.loads(ARGS.inputs)
        return [{"type": "tool_use", "id": "toolu_standin_%04d" % n,
                 "name": script[k],
                 "input": inputs.get(script[k], {"prompt": "test call %d" % (k + 1)})}], "tool_use"
    return [{"type": "text", "text": "done."}], "end_turn"


def sse(event, data):
    return ("event: %s\ndata: %s\n\n" % (event, json.dumps(data))).encode()


def stream_body(blocks, stop, mid):
    out = [sse("message_start", {"type": "message_start", "message": {
        "id": mid, "type": "message", "role": "assistant", "model": MODEL,
        "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1}}})]
    for i, b in enumerate(blocks):
        if b["type"] == "text":
            out.append(sse("content_block_start", {"type": "content_block_start", "index": i,
                                                   "content_block": {"type": "text", "text": ""}}))
            out.append(sse("content_block_delta", {"type": "content_block_delta", "index": i,
                                                   "delta": {"type": "text_delta", "text": b["text"]}}))
        else:
            out.append(sse("content_block_start", {"type": "content_block_start", "index": i,
                                                   "content_block": {"type": "tool_use", "id": b["id"],
                                                                     "name": b["name"], "input": {}}}))
            out.append(sse("content_block_delta", {"type": "content_block_delta", "index": i,
                                                   "delta": {"type": "input_json_delta",
                                                             "partial_json": json.dumps(b["input"])}}))
        out.append(sse("content_block_stop", {"type": "content_block_stop", "index": i}))
    out.append(sse("message_delta", {"type": "message_delta",
                                     "delta": {"stop_reason": stop, "stop_sequence": None},
                                     "usage": {"output_tokens": 5}}))
    out.append(sse("message_stop", {"type": "message_stop"}))
    return b"".join(out)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def note(self, status, body, answer):
        rec = {"t": round(time.time(), 3), "method": self.command, "path": self.path,
               "status": status}
        if body is not None:
            rec["stream"] = bool(body.get("stream"))
            rec["tools"] = len(body.get("tools") or [])
            rec["tool_names"] = [t.get("name") for t in body.get("tools") or []
                                 if str(t.get("name", "")).startswith("mcp__")]
            rec["messages"] = len(body.get("messages") or [])
            rec["tool_results"] = count_tool_results(body.get("messages"))
        if answer is not None:
            rec["answer"] = answer
        with open(ARGS.log, "a") as f:
            f.write(json.dumps(rec) + "\n")

    def finish_request_count(self):
        with STATE["lock"]:
            STATE["requests"] += 1
            done = STATE["requests"] >= ARGS.max_requests
        if done:
            threading.Thread(target=self.server.shutdown, daemon=True).start()

    def reply(self, status, ctype, data):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n > 0 else b""
        path = self.path.split("?", 1)[0]
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        if path != "/v1/messages":
            self.note(404, body, None)
            self.reply(404, "application/json", json.dumps({
                "type": "error", "error": {"type": "not_found_error",
                                           "message": "stand-in: not found"}}).encode())
            self.finish_request_count()
            return
        blocks, stop = plan(body)
        with STATE["lock"]:
            mid = "msg_standin_%04d" % STATE["requests"]
        answer = [b.get("name") or b.get("text") for b in blocks]
        self.note(200, body, answer)
        if body.get("stream"):
            self.reply(200, "text/event-stream", stream_body(blocks, stop, mid))
        else:
            self.reply(200, "application/json", json.dumps({
                "id": mid, "type": "message", "role": "assistant", "model": MODEL,
                "content": blocks, "stop_reason": stop, "stop_sequence": None,
                "usage": {"input_tokens": 10, "output_tokens": 5}}).encode())
        self.finish_request_count()

    def do_GET(self):
        self.note(404, None, None)
        self.reply(404, "application/json",
                   b'{"type":"error","error":{"type":"not_found_error","message":"stand-in"}}')
        self.finish_request_count()

    def do_HEAD(self):
        # The client's connectivity probe (HEAD /).
        self.note(404, None, None)
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.finish_request_count()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The client drops kept-alive connections when it exits: not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main():
    global ARGS
    ARGS = parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, ARGS.port_file)
    timer = threading.Timer(ARGS.max_seconds, srv.shutdown)
    timer.daemon = True
    timer.start()
    srv.serve_forever(poll_interval=0.2)
    srv.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
