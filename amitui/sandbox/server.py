"""Sandbox: moto's server, our EC2 extensions and the seeded catalogue, in a thread.

Recycle Bin (``rbin``) requests, which moto does not serve, go to rbin_server.py.

moto keeps its state in process-wide globals, so only one Sandbox per process
can be started at a time; ``start`` refuses a second one.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from .catalogue import SeedSummary, seed_catalogue
from .catalogue_cleanup import seed_cleanup
from .catalogue_lifecycle import seed_lifecycle
from .catalogue_org import seed_org
from .catalogue_usage import seed_usage
from .moto_compat import (
    DEFAULT_ACCOUNT_ID,
    EC2Response,
    HostCachingDispatcher,
    MotoRequestHandler,
    TokenResponse,
    convert_to_flask_response,
    create_backend_app,
    reset_moto,
)
from .moto_snapshot import MotoSnapshot, restore_moto, snapshot_moto
from .rbin_server import RecycleBinApp, SandboxDispatcher
from .responses import SandboxEC2Response, bind
from .state import SandboxState
from .sts_server import SandboxTokenResponse

_ACTIVE_LOCK = threading.Lock()
_active: Sandbox | None = None


class _QuietRequestHandler(MotoRequestHandler):
    """No access log line per request (the CLI's stdout/stderr stay readable)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _make_app_factory(response_cls: type[SandboxEC2Response]) -> Any:
    """moto's per-service Flask app factory, with EC2 answered by ``response_cls``."""

    ours: dict[str, tuple[type, Any]] = {
        "ec2": (EC2Response, response_cls),
        "sts": (TokenResponse, SandboxTokenResponse),
    }

    def create_app(service: Any) -> Any:
        app = create_backend_app(service)
        if service not in ours:
            return app
        moto_cls, sandbox_cls = ours[service]
        replaced = 0
        for endpoint, view in list(app.view_functions.items()):
            callback = getattr(view, "callback", None)
            if getattr(callback, "__self__", None) is moto_cls:
                app.view_functions[endpoint] = convert_to_flask_response(sandbox_cls.dispatch)
                replaced += 1
        if not replaced:  # moto changed how it routes the service: the pin moved?
            raise RuntimeError(f"amitui sandbox: moto's {service} route was not found")
        return app

    return create_app


class Sandbox:
    """An EC2 (+ S3, STS, Organizations) endpoint on ``url``, seeded, with time-driven lifecycles.

    >>> with Sandbox(seed=7, pending_seconds=1.0) as sandbox:
    ...     boto3.client("ec2", endpoint_url=sandbox.url, region_name="us-east-1")
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 7,
        pending_seconds: float = 3.0,
        usage_api: bool = True,
        snapshot_at_start: bool = False,
    ) -> None:
        """``snapshot_at_start``: start() keeps the snapshot of its seeding that reset()
        restores, so that the first reset restores instead of seeding again (about 2 s);
        taking it costs start() about 0.7 s, worth it for a process that resets (tests)."""
        if pending_seconds < 0:
            raise ValueError("pending_seconds must be >= 0")
        self.host = host
        self.port = port
        self.seed = seed
        self.state = SandboxState(pending_seconds=pending_seconds, usage_api=usage_api)
        self.summary: SeedSummary | None = None
        self.snapshot_at_start = snapshot_at_start
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        # seed -> (when it was taken, the state) of the first full seeding reset() made
        self._seeded: dict[int, tuple[float, MotoSnapshot]] = {}

    # -- lifecycle --------------------------------------------------------------------
    def start(self) -> Sandbox:
        global _active
        with _ACTIVE_LOCK:
            if _active is not None:
                raise RuntimeError(
                    "a Sandbox is already running in this process (moto's state is global)"
                )
            _active = self
        try:
            self._seed(self.seed, with_usage=False)
            app = SandboxDispatcher(
                HostCachingDispatcher(_make_app_factory(bind(self.state))),
                RecycleBinApp(self.state),
            )
            self._server = make_server(
                self.host, self.port, app, threaded=True, request_handler=_QuietRequestHandler
            )
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},  # stop() returns within ~50 ms
                name="amitui-sandbox",
                daemon=True,
            )
            self._thread.start()
            self._wait_until_answering()
            self._seed_usage()
            if self.snapshot_at_start:
                self._keep_seeding()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        global _active
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None
        with _ACTIVE_LOCK:
            if _active is self:
                _active = None

    def reset(self, seed: int | None = None, restore: bool = True) -> SeedSummary:
        """Wipe all moto state and the sandbox's tasks, then seed again.

        The first reset of a running sandbox with a seed seeds (about 2 s) and keeps a
        snapshot of what it made; a later one with the same seed restores a fresh copy
        of that snapshot instead (moto_snapshot.restore_moto), which answers as a new
        seeding would (``restore=False`` seeds in full again, and snapshots anew). The
        Recycle Bin's clock is the real one: the entries' enter and exit times move on
        by the time since the snapshot, as if seeded now. moto's own
        "now" stamps (instance launch times, the seeded launch templates' and SSM
        parameters' dates) stay those of the seeding, as a sandbox started a few
        minutes earlier would show."""
        if seed is not None:
            self.seed = seed
        if not self.running:
            return self._seed(self.seed, with_usage=False)
        if restore and self.seed in self._seeded:
            return self._restore(*self._seeded[self.seed])
        self._seed(self.seed, with_usage=True)
        return self._keep_seeding()

    def _keep_seeding(self) -> SeedSummary:
        """Snapshot what the seeding (start's or reset's) made, for reset() to restore."""
        summary = self.summary
        assert summary is not None
        with self.state.lock:
            taken = time.time()
            snapshot = snapshot_moto((self.state.books, summary), keep=(self.state,))
        self._seeded[self.seed] = (taken, snapshot)
        return summary

    def _restore(self, taken: float, snapshot: MotoSnapshot) -> SeedSummary:
        with self.state.lock:
            books, summary = restore_moto(snapshot)
            moved = time.time() - taken
            for book in books.values():
                for entry in book.recycle_bin.values():
                    entry.entered += moved
                    entry.exits += moved
            self.state.books.clear()
            self.state.books.update(books)
            self.state.image_xml.clear()
            self.summary = summary
        return summary

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def usage_api(self) -> bool:
        """False: the issue-15 actions answer as plain moto 5.2.5 does (an HTML 500),
        and DescribeImages leaves out DeregistrationProtection, LastLaunchedTime and
        ImageAllowed -- an endpoint without DescribeImageReferences. Settable."""
        return self.state.usage_api

    @usage_api.setter
    def usage_api(self, enabled: bool) -> None:
        self.state.usage_api = enabled

    @property
    def pending_seconds(self) -> float:
        """How long new images stay pending (tasks take 4x). Settable while running:
        it applies to the images and tasks started after the change."""
        return self.state.pending_seconds

    @pending_seconds.setter
    def pending_seconds(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("pending_seconds must be >= 0")
        self.state.pending_seconds = seconds

    # -- where ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the Sandbox is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"  # type: ignore[str-bytes-safe]  # bytes: AF_UNIX only

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- internals --------------------------------------------------------------------
    def _seed(self, seed: int, with_usage: bool) -> SeedSummary:
        with self.state.lock:
            self.state.clear()
            reset_moto()
            self.summary = seed_catalogue(seed)
        if with_usage:
            self._seed_usage()
        return self.summary

    def _seed_usage(self) -> None:
        """The images in use (catalogue_usage.py), made through the endpoint itself (so
        not under ``state.lock``: the requests it sends take it), then the lifecycle and
        sharing roles (catalogue_lifecycle.py), which avoid the usage roles, then the
        nightly builds, orphaned snapshots and Recycle Bin (catalogue_cleanup.py), and
        last the organization and its member accounts (catalogue_org.py)."""
        assert self.summary is not None
        self.summary.usage = seed_usage(
            self.url, self.state, self.summary, self.seed, DEFAULT_ACCOUNT_ID
        )
        with self.state.lock:
            self.summary.lifecycle = seed_lifecycle(
                self.state, self.summary, DEFAULT_ACCOUNT_ID, self.summary.usage
            )
        self.summary.cleanup = seed_cleanup(self.url, self.state, self.seed, DEFAULT_ACCOUNT_ID)
        with self.state.lock:
            self.summary.org = seed_org(self.seed, DEFAULT_ACCOUNT_ID)

    def _wait_until_answering(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        probe = f"{self.url}/moto-api/"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            try:
                with opener.open(probe, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not answer on {self.url} in {timeout} s")
            time.sleep(0.02)
