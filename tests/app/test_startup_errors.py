"""The app starts and says what is wrong, in one line, whatever the endpoint does."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.app.helpers import SIZE, make_app, message_text, wait_for

DENIED = b"""<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>UnauthorizedOperation</Code>
<Message>You are not authorized to perform this operation.</Message></Error></Errors>
<RequestID>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestID></Response>"""


class DeniedHandler(BaseHTTPRequestHandler):
    """An endpoint that refuses every call as AWS does for a missing IAM permission."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(403)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(DENIED)))
        self.end_headers()
        self.wfile.write(DENIED)

    def log_message(self, *args):
        pass


@pytest.fixture
def denied_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), DeniedHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def test_unreachable_endpoint(sandbox):
    url = closed_port_url()
    app = make_app(url, attempts=2)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Cannot reach" in message_text(app), what="error line")
        line = message_text(app)
        assert url in line and "Traceback" not in line
        assert app.inventory.is_mounted  # still running


async def test_access_denied(sandbox, denied_url):
    app = make_app(denied_url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "UnauthorizedOperation" in message_text(app))
        assert "not authorized" in message_text(app)
        assert "IAM policy" in message_text(app)


async def test_no_credentials(sandbox, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    app = make_app(sandbox.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "No AWS credentials" in message_text(app))
        assert "amitui --demo" in message_text(app)


async def test_missing_profile(sandbox):
    app = make_app(sandbox.url, profile="no-such-profile-here")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "no-such-profile-here" in message_text(app))
