"""`--debug-log FILE`: one line per API call, for support.

Each line: UTC time, service.operation, region, duration, HTTP status, error code. Never
parameters, headers or bodies (they can carry secrets, tokens, bucket names of others).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError


class DebugLog:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._file = os.fdopen(fd, "a", encoding="utf-8", buffering=1)
        self._lock = threading.Lock()

    def attach(self, clients: Any) -> None:
        """Record every call of every client ``clients`` hands out, and the notes the
        adapter logs on ``amitui.aws`` (a listing that fell back to sequential paging)."""
        clients.add_hook("before-call", self._before)
        clients.add_hook("after-call", self._after)
        clients.add_hook("after-call-error", self._failed)
        self._notes = _NoteHandler(self)
        logger = logging.getLogger("amitui.aws")
        logger.addHandler(self._notes)
        logger.setLevel(min(logger.level or logging.INFO, logging.INFO))

    def close(self) -> None:
        notes = getattr(self, "_notes", None)
        if notes is not None:
            logging.getLogger("amitui.aws").removeHandler(notes)
        with self._lock:
            self._file.close()

    def note(self, text: str) -> None:
        """One line that is not an API call: ``<time> note <text>``."""
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        line = f"{stamp} note {' '.join(text.split())}\n"
        with self._lock:
            if not self._file.closed:
                self._file.write(line)

    def _write(self, context: dict, operation: str, status: str, code: str) -> None:
        started = context.get("amitui_started")
        duration = f"{(time.perf_counter() - started) * 1000:.0f}ms" if started else "-"
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        region = context.get("client_region") or "-"
        line = f"{stamp} {operation} region={region} duration={duration} http={status}"
        line += f" error={code}\n" if code else "\n"
        with self._lock:
            if not self._file.closed:
                self._file.write(line)

    @staticmethod
    def _operation(model: Any) -> str:
        service = getattr(getattr(model, "service_model", None), "endpoint_prefix", "?")
        return f"{service}.{getattr(model, 'name', '?')}"

    def _before(self, model: Any = None, context: dict | None = None, **_: Any) -> None:
        if context is not None:
            context["amitui_started"] = time.perf_counter()
            context["amitui_operation"] = self._operation(model)

    def _after(
        self,
        http_response: Any = None,
        parsed: Any = None,
        model: Any = None,
        context: dict | None = None,
        **_: Any,
    ) -> None:
        status = getattr(http_response, "status_code", None)
        failed = isinstance(status, int) and status >= 400
        code = ((parsed or {}).get("Error") or {}).get("Code", "") if failed else ""
        self._write(context or {}, self._operation(model), str(status or "-"), code)

    def _failed(self, exception: Any = None, context: dict | None = None, **_: Any) -> None:
        context = context or {}
        code = (
            exception.response.get("Error", {}).get("Code", "")
            if isinstance(exception, ClientError)
            else type(exception).__name__
        )
        self._write(context, context.get("amitui_operation", "?"), "-", code)


class _NoteHandler(logging.Handler):
    def __init__(self, log: DebugLog) -> None:
        super().__init__(logging.INFO)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        self.log.note(record.getMessage())
