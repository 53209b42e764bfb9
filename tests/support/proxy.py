"""A recording (and fault-injecting) HTTP proxy for tests: it stands between boto3 and the
sandbox, counts the EC2 actions that reach the endpoint, and can answer with faults.

Faults are what a real network and AWS produce: a refused connection (the proxy
stopped), HTTP 500, throttling (RequestLimitExceeded), ExpiredToken, a slow answer (read
timeout). Nothing in botocore is patched: the client talks HTTP to this proxy.
"""

from __future__ import annotations

import http.client
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULT_BODIES = {
    "throttle": (503, "RequestLimitExceeded", "Request limit exceeded."),
    "expired": (400, "ExpiredToken", "The security token included in the request is expired"),
    "denied": (403, "UnauthorizedOperation", "You are not authorized to perform this operation."),
    "server": (500, "InternalError", "An internal error has occurred"),
}


def error_xml(code: str, message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
        "</Error></Errors><RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>"
    ).encode()


def action_of(body: bytes) -> str:
    fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    return (fields.get("Action") or [""])[0]


class RecordingProxy:
    """``RecordingProxy(upstream).start()``; ``.url``; ``.actions`` (a Counter);
    ``.fault = callable(action, n) -> fault name or None`` decides per request."""

    def __init__(self, upstream: str) -> None:
        parsed = urllib.parse.urlparse(upstream)
        self.upstream_host = parsed.hostname
        self.upstream_port = parsed.port
        self.actions: Counter[str] = Counter()
        self.log: list[tuple[str, str]] = []  # (action, outcome)
        self.fault: Callable[[str, int], str | None] | None = None
        self.delay = 0.0  # seconds before answering any call
        self.delays: dict[str, float] = {}  # or per action
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> RecordingProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                proxy._handle(self, body)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening: new connections are refused (a dead endpoint)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def restart(self) -> None:
        """Listen again on the same port (the endpoint comes back)."""
        self.start()

    def count(self, *actions: str) -> int:
        with self._lock:
            return sum(self.actions[a] for a in actions)

    def mutating_count(self) -> int:
        with self._lock:
            return sum(
                n for a, n in self.actions.items() if not a.startswith(("Describe", "Get", "List"))
            )

    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        action = action_of(body)
        with self._lock:
            self.actions[action] += 1
            n = self.actions[action]
        fault = self.fault(action, n) if self.fault else None
        pause = self.delays.get(action, self.delay)
        if pause:
            time.sleep(pause)
        if fault in FAULT_BODIES:
            status, code, message = FAULT_BODIES[fault]
            payload = error_xml(code, message)
            handler.send_response(status)
            handler.send_header("Content-Type", "text/xml")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
            self.log.append((action, fault))
            return
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=30)
        headers = {k: v for k, v in handler.headers.items() if k.lower() != "host"}
        conn.request("POST", handler.path, body=body, headers=headers)
        answer = conn.getresponse()
        payload = answer.read()
        handler.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
        conn.close()
        self.log.append((action, str(answer.status)))
