"""A recording (and fault-injecting) HTTP proxy for tests: it stands between boto3 and the
sandbox, counts the EC2 actions that reach the endpoint, and can answer with faults.

Faults are what a real network and AWS produce. Nothing in botocore is patched: the
client talks HTTP to this proxy, and the proxy misbehaves on the wire.

``proxy.fault = lambda action, n: name or None`` decides per request (``n`` counts that
action's requests, from 1); ``proxy.fault_by_region = lambda action, region, n: ...`` does
the same knowing the request's region (from its signature), and
``proxy.fault_by_key = lambda action, access_key_id: ...`` knowing the key it was signed
with (an endpoint that refuses an expired key). The names:

=============  =======================================================================
``throttle``   HTTP 503 ``RequestLimitExceeded`` (botocore retries it)
``expired``    HTTP 400 ``ExpiredToken`` (credentials expired; not retried)
``denied``     HTTP 403 ``UnauthorizedOperation``
``server``     HTTP 500 ``InternalError`` (botocore retries it)
``echo``       HTTP 403 ``SignatureDoesNotMatch`` whose message quotes the request's
               headers (as S3 does with its canonical request): a credential echo
``drop``       the connection is closed without an answer; the request never reached
               the endpoint
``drop_after`` the request is forwarded (it TAKES EFFECT at the endpoint), then the
               connection is closed without an answer: the client cannot know
``truncate``   the request is forwarded (it takes effect); the answer's headers and
               half its body are sent, then the connection is closed mid-response
``timeout``    no answer for ``hold_seconds`` (longer than the client's read
               timeout), then the connection is closed; never forwarded
``die``        the endpoint dies: the proxy stops listening, closes every open
               connection (keep-alive ones too) and drops this request
=============  =======================================================================

``proxy.ignored_params = {"DeleteAssociatedSnapshots"}`` plays an endpoint that does not
know those parameters: they are taken out of each request before it is forwarded (as a
plain moto server or an older API version ignores them).

``gate = proxy.hold("DescribeImageReferences")``: requests of that action wait (before they
are forwarded) until the test calls ``gate.set()``: a test that looks at the app before an
answer comes waits on that state, not on the endpoint being slow (an answer held back for
as long as the test looks, not for a time); ``stop()`` sets every gate.

``proxy.watched = {"DeregisterImage"}``: the parameters of each such request that reached
the endpoint are kept in ``proxy.reached[action]``, with the endpoint's HTTP status as
``__status`` (a dropped one did not reach it; a ``drop_after`` one did).
``in_flight``/``peak_in_flight``: requests being handled now, and the most ever at once.
``timeline``: ``(time.monotonic(), action, region, access key id)`` of every request, as
it arrived (which of several processes, told apart by their keys, called what when).

``stop()`` is a dead endpoint (new connections refused, open ones closed);
``restart()`` brings it back on the same port. ``faults`` counts the faults injected
(each ``stop()`` of a listening proxy counts as a ``stop``).
"""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

FAULT_BODIES = {
    "throttle": (503, "RequestLimitExceeded", "Request limit exceeded."),
    "expired": (400, "ExpiredToken", "The security token included in the request is expired"),
    "denied": (403, "UnauthorizedOperation", "You are not authorized to perform this operation."),
    "server": (500, "InternalError", "An internal error has occurred"),
}
#: Faults that close the connection instead of answering.
CONNECTION_FAULTS = ("drop", "drop_after", "truncate", "timeout", "die")
FAULTS = (*FAULT_BODIES, "echo", *CONNECTION_FAULTS)


def error_xml(code: str, message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Response><Errors><Error><Code>{code}</Code><Message>{escape(message)}</Message>"
        "</Error></Errors><RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>"
    ).encode()


def action_of(body: bytes) -> str:
    fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    return (fields.get("Action") or [""])[0]


def _rest_routes() -> list[tuple[str, re.Pattern[str], str]]:
    """(method, path pattern, operation) of the REST services the sandbox serves (rbin)."""
    import botocore.session

    routes = []
    model = botocore.session.get_session().get_service_model("rbin")
    for name in model.operation_names:
        http = model.operation_model(name).http
        path = re.sub(r"\\{[^}]+\\}", "[^/?]+", re.escape(http["requestUri"].split("?")[0]))
        routes.append((http["method"], re.compile(f"^{path}(\\?.*)?$"), name))
    return routes


_ROUTES: list[tuple[str, re.Pattern[str], str]] = []


def rest_operation(method: str, path: str) -> str:
    """The operation a REST request is (``ListRules``, ``GetRule``…), by its method and
    path; ``"<METHOD> <path>"`` when no route matches."""
    if not _ROUTES:
        _ROUTES.extend(_rest_routes())
    for route_method, pattern, name in _ROUTES:
        if route_method == method and pattern.match(path):
            return name
    return f"{method} {path}"


def without_params(body: bytes, names: set[str]) -> bytes:
    """A query-protocol body without the named parameters (and their members)."""
    fields = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    kept = [(k, v) for k, v in fields if k.split(".", 1)[0] not in names]
    return urllib.parse.urlencode(kept).encode()


def region_of(headers) -> str:
    """The region a SigV4 request was signed for (``Credential=AKID/date/REGION/...``)."""
    auth = headers.get("Authorization", "")
    _, _, credential = auth.partition("Credential=")
    parts = credential.split("/")
    return parts[2] if len(parts) > 2 else ""


def access_key_of(headers) -> str:
    """The access key id a SigV4 request was signed with (``Credential=AKID/...``)."""
    _, _, credential = headers.get("Authorization", "").partition("Credential=")
    return credential.split("/")[0]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        pass  # a connection we closed on purpose (or the client gave up): not news


class RecordingProxy:
    """``RecordingProxy(upstream).start()``; ``.url``; ``.actions`` (a Counter);
    ``.fault = callable(action, n) -> fault name or None`` decides per request."""

    def __init__(self, upstream: str) -> None:
        parsed = urllib.parse.urlparse(upstream)
        self.upstream_host = parsed.hostname
        self.upstream_port = parsed.port
        self.actions: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()  # fault name -> times injected
        self.log: list[tuple[str, str]] = []  # (action, outcome)
        self.timeline: list[tuple[float, str, str, str]] = []  # (when, action, region, key)
        self.fault: Callable[[str, int], str | None] | None = None
        self.fault_by_region: Callable[[str, str, int], str | None] | None = None
        self.fault_by_key: Callable[[str, str], str | None] | None = None
        self.delay = 0.0  # seconds before answering any call
        self.delays: dict[str, float] = {}  # or per action
        self.hold_seconds = 5.0  # how long a "timeout" fault keeps the client waiting
        self.held: dict[str, threading.Event] = {}  # action -> what its requests wait for
        self.ignored_params: set[str] = set()  # request parameters the endpoint never sees
        self.watched: set[str] = set()
        self.reached: dict[str, list[dict[str, str]]] = {}
        self.in_flight = 0
        self.peak_in_flight = 0
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._port = 0
        self._open: set[socket.socket] = set()
        self._dead = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> RecordingProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # An answer is written as headers, then body: with Nagle's algorithm on,
                # the body waited for the client's delayed ACK (~40 ms a call, idle).
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with proxy._lock:
                    proxy._open.add(self.connection)

            def finish(self) -> None:
                with proxy._lock:
                    proxy._open.discard(self.connection)
                with contextlib.suppress(OSError):
                    super().finish()

            def do_POST(self) -> None:
                self._any()

            def do_GET(self) -> None:  # REST services (rbin's GetRule)
                self._any()

            def do_DELETE(self) -> None:
                self._any()

            def do_PATCH(self) -> None:
                self._any()

            def _any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with proxy._lock:
                    proxy.in_flight += 1
                    proxy.peak_in_flight = max(proxy.peak_in_flight, proxy.in_flight)
                try:
                    proxy._handle(self, body)
                finally:
                    with proxy._lock:
                        proxy.in_flight -= 1

            def log_message(self, *args) -> None:
                pass

        self._dead.clear()
        self._server = _Server(("127.0.0.1", self._port), Handler)
        self._port = self._server.server_address[1]
        # Polled every 50 ms, not socketserver's 500: stop() (and every test's teardown)
        # waits for the loop to notice.
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        """The endpoint dies: new connections are refused and open ones are closed
        (botocore's pooled keep-alive connections included). Counted as a ``stop``."""
        if self._server is not None:
            with self._lock:
                self.faults["stop"] += 1
        self._shut_down()

    def _shut_down(self) -> None:
        self._dead.set()
        for gate in list(self.held.values()):
            gate.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            _reset(sock)

    def restart(self) -> None:
        """Listen again on the same port (the endpoint comes back)."""
        if self._server is None:
            self.start()

    def hold(self, action: str) -> threading.Event:
        """Hold every ``action`` request until the returned event is set."""
        gate = self.held[action] = threading.Event()
        return gate

    def count(self, *actions: str) -> int:
        with self._lock:
            return sum(self.actions[a] for a in actions)

    def mutating_count(self) -> int:
        with self._lock:
            return sum(
                n for a, n in self.actions.items() if not a.startswith(("Describe", "Get", "List"))
            )

    def outcomes(self, action: str) -> Counter[str]:
        """How the proxy answered ``action``: HTTP statuses and fault names."""
        with self._lock:
            return Counter(outcome for a, outcome in self.log if a == action)

    def _record(self, action: str, outcome: str, fault: bool = False) -> None:
        with self._lock:
            self.log.append((action, outcome))
            if fault:
                self.faults[outcome] += 1

    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        action = action_of(body) or rest_operation(handler.command, handler.path)
        arrived = (time.monotonic(), action, region_of(handler.headers))
        with self._lock:
            self.actions[action] += 1
            n = self.actions[action]
            self.timeline.append((*arrived, access_key_of(handler.headers)))
        fault = self.fault(action, n) if self.fault else None
        if fault is None and self.fault_by_region is not None:
            fault = self.fault_by_region(action, region_of(handler.headers), n)
        if fault is None and self.fault_by_key is not None:
            fault = self.fault_by_key(action, access_key_of(handler.headers))
        pause = self.delays.get(action, self.delay)
        if pause:
            time.sleep(pause)
        gate = self.held.get(action)
        if gate is not None:
            gate.wait()
        if fault in FAULT_BODIES or fault == "echo":
            if fault == "echo":
                headers = "\n".join(f"{k.lower()}:{v}" for k, v in handler.headers.items())
                status, code = 403, "SignatureDoesNotMatch"
                message = (
                    "The request signature we calculated does not match the signature you"
                    f" provided. The Canonical String for this request should have been\n"
                    f"POST\n/\n\n{headers}\n"
                )
            else:
                status, code, message = FAULT_BODIES[fault]
            self._record(action, fault, fault=True)  # logged before the client can hear it
            self._answer(handler, status, error_xml(code, message))
            return
        if fault in ("drop", "die"):
            self._record(action, fault, fault=True)
            if fault == "die":
                self._shut_down()
            self._drop(handler)
            return
        if fault == "timeout":
            self._record(action, fault, fault=True)
            self._dead.wait(self.hold_seconds)
            self._drop(handler)
            return
        if self.ignored_params:
            body = without_params(body, self.ignored_params)
        try:
            status, headers, payload = self._forward(handler, body)
        except OSError:  # the sandbox is gone too: what a dead endpoint does
            self._record(action, "upstream-error")
            self._drop(handler)
            return
        if action in self.watched:
            with self._lock:
                params = dict(urllib.parse.parse_qsl(body.decode()))
                params["__status"] = str(status)  # what the endpoint answered
                self.reached.setdefault(action, []).append(params)
        if fault == "drop_after":  # it happened upstream; the client never hears of it
            self._record(action, fault, fault=True)
            self._drop(handler)
            return
        handler.send_response(status)
        for key, value in headers:
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        if fault == "truncate":  # the answer breaks off half-way
            handler.wfile.write(payload[: len(payload) // 2])
            handler.wfile.flush()
            self._record(action, fault, fault=True)
            self._drop(handler)
            return
        self._record(action, str(status))  # logged before the client can hear it
        handler.wfile.write(payload)

    def _forward(self, handler: BaseHTTPRequestHandler, body: bytes):
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=30)
        try:
            headers = {
                k: v
                for k, v in handler.headers.items()
                if k.lower() not in ("host", "content-length")
            }
            conn.request(handler.command, handler.path, body=body, headers=headers)
            answer = conn.getresponse()
            return answer.status, answer.getheaders(), answer.read()
        finally:
            conn.close()

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, payload: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "text/xml")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    @staticmethod
    def _drop(handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True
        _reset(handler.connection)


def _reset(sock: socket.socket) -> None:
    """Close a connection abruptly (the client sees it closed with no answer)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
