"""The sandbox's EC2 response class: moto's, with our actions layered on top.

moto 5.2.5 dispatches an EC2 ``Action`` to the method of the same snake_case name
on its response class and serializes the returned ``ActionResult`` against
botocore's output shape. Our mixins come first in the MRO, so their methods win
over moto's; everything else is moto's. Before any action runs, the request is
checked as EC2 checks it (request_checks.py: an unknown action, an unknown
parameter, a missing required one, a malformed value) and finished tasks leave
their results (S3 objects, imported images). Issue 16's lifecycle and sharing
actions are deprecation.py, sharing.py and tag_actions.py; issue 17's Recycle Bin
calls are recycle_bin.py. With ``usage_api`` off, the issue-15
actions answer as plain moto does (``USAGE_ACTIONS``).

Otherwise, whatever happens, the answer is EC2-shaped XML: a refusal is HTTP 400 with AWS's
code, and a failure of the sandbox itself is HTTP 500 ``InternalError`` -- never
an HTML page.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from werkzeug.exceptions import InternalServerError

from . import errors
from .deprecation import DeprecationMixin
from .describe_images import DescribeImagesMixin
from .export_actions import ExportActionsMixin
from .image_actions import ImageActionsMixin
from .image_references import ImageReferencesMixin
from .import_actions import ImportActionsMixin
from .moto_compat import ActionResult, EC2Response, ServiceException, s3_backend
from .protection import ProtectionMixin
from .recycle_bin import RecycleBinMixin
from .request_checks import check_request, error_body, missing_required, xml_safe
from .sharing import SharingMixin
from .snapshot_progress import SnapshotProgressMixin
from .state import SandboxState
from .tag_actions import TagActionsMixin
from .usage_reports import UsageReportsMixin

log = logging.getLogger(__name__)


class SandboxEC2Response(
    DescribeImagesMixin,
    ImageActionsMixin,
    ExportActionsMixin,
    ImportActionsMixin,
    SnapshotProgressMixin,
    SharingMixin,  # before ProtectionMixin: both answer some DescribeImageAttribute
    DeprecationMixin,
    TagActionsMixin,
    ProtectionMixin,
    ImageReferencesMixin,
    UsageReportsMixin,
    RecycleBinMixin,
    EC2Response,
):
    """Subclassed per Sandbox by ``bind`` so that each carries its own state."""

    _refusal: ServiceException | None = None

    def parse_parameters(self, request: Any) -> None:
        """moto parses with botocore's model; what it cannot parse, EC2 refuses."""
        try:
            check_request(self._get_action(), request.values)
            super().parse_parameters(request)
        except ServiceException as refusal:
            self.params = {}
            self._refusal = refusal
        except Exception as exc:  # a value of the wrong type, say MaxResults=abc
            self.params = {}
            self._refusal = errors.invalid_parameter_value(f"The request is malformed: {exc}")

    def call_action(self) -> Any:
        try:
            if not self._get_action():
                raise errors.missing_action()
            if not self.sandbox_state.usage_api and self._get_action() in USAGE_ACTIONS:
                return plain_moto_missing_action()
            if self._refusal is not None:
                raise self._refusal
            self._check_required()
            self._settle_tasks()
            return super().call_action()
        except ServiceException as refusal:
            return self._error(refusal)
        except NotImplementedError:  # an EC2 action moto does not have
            return self._error(errors.unsupported_operation(self._get_action()))

    def _dispatch(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super()._dispatch(*args, **kwargs)
        except Exception:
            log.exception("amitui sandbox: an EC2 request failed inside the sandbox")
            return 500, {"Content-Type": "text/xml"}, error_body("InternalError", INTERNAL_ERROR)

    def _error(self, refusal: ServiceException) -> Any:
        refusal.message = xml_safe(str(refusal.message))
        status, headers, body = self.serialized(ActionResult(refusal))
        headers, body = self._enrich_response(headers, body)
        return status, headers, body

    def _check_required(self) -> None:
        missing = missing_required(self._get_action(), self.params)
        if missing:
            raise errors.missing_parameter(missing)

    def _settle_tasks(self) -> None:
        state = self.sandbox_state
        book = state.books.get((self.current_account, self.region))
        if book is None:
            return
        now = time.time()
        with state.lock:
            if book.exports:
                s3 = s3_backend(self.current_account, self.partition)
                for export in book.exports.values():
                    export.settle(now, s3)
            for task in book.imports.values():
                task.settle(now, self.ec2_backend)


# The issue-15 actions moto 5.2.5 lacks. With ``usage_api=False`` the sandbox answers
# them as plain moto does: its NotImplementedError becomes werkzeug's HTML 500 page
# (botocore: ResponseParserError, which its retry modes retry).
USAGE_ACTIONS = frozenset(
    {
        "DescribeImageReferences",
        "GetImageAncestry",
        "EnableImageDeregistrationProtection",
        "DisableImageDeregistrationProtection",
        "CreateImageUsageReport",
        "DescribeImageUsageReports",
        "DescribeImageUsageReportEntries",
    }
)


def plain_moto_missing_action() -> Any:
    body = InternalServerError().get_body()
    return 500, {"Content-Type": "text/html; charset=utf-8"}, body


INTERNAL_ERROR = "An internal error has occurred in the amitui sandbox (see its log)."


def bind(state: SandboxState) -> type[SandboxEC2Response]:
    """A response class whose requests read and write ``state``."""
    return type("BoundSandboxEC2Response", (SandboxEC2Response,), {"sandbox_state": state})
