#!/usr/bin/env python3
"""A webhook receiver for the end-to-end tests and the benchmark.

Listens on 127.0.0.1, verifies every POST with the `standardwebhooks` package (the Standard
Webhooks specification's reference library) and appends one JSON line per accepted connection
and per request to --log. Prints {"port": N} on stdout once it listens.

  --status-file F   answer with the status written in F (default 200), re-read per request
  --stall           accept, read the request, never answer (until the client gives up)
"""
import argparse
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--status-file")
    parser.add_argument("--stall", action="store_true")
    args = parser.parse_args()
    webhook = Webhook(args.secret)
    lock = threading.Lock()
    log = open(args.log, "a", buffering=1)

    def record(entry):
        entry["at"] = time.time()
        with lock:
            log.write(json.dumps(entry) + "\n")
            log.flush()

    def answer_status():
        if not args.status_file:
            return 200
        try:
            with open(args.status_file) as f:
                return int(f.read().strip() or "200")
        except FileNotFoundError:
            return 200

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            entry = {"kind": "delivery", "path": self.path, "id": headers.get("webhook-id"),
                     "timestamp": headers.get("webhook-timestamp"), "signature": headers.get("webhook-signature")}
            try:
                payload = webhook.verify(body, headers)
                entry.update(verified=True, type=payload.get("type"), eventTimestamp=payload.get("timestamp"),
                             data=payload.get("data"))
            except Exception as error:  # a failed verification is recorded, and answered 400
                entry.update(verified=False, error=f"{type(error).__name__}: {error}")
            if args.stall:
                entry["answered"] = None
                record(entry)
                time.sleep(3600)
                return
            status = answer_status() if entry["verified"] else 400
            entry["answered"] = status
            record(entry)
            reply = json.dumps({"status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self):
            request = super().get_request()
            # The answer goes out in two writes (headers, body): without TCP_NODELAY the second
            # waits for the client's delayed ACK (40 ms) on every kept-alive request.
            request[0].setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            record({"kind": "connection"})
            return request

    server = Server((args.host, args.port), Handler)
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
