"""The sandbox's EC2 response class: moto's, with our actions layered on top.

moto 5.2.5 dispatches an EC2 ``Action`` to the method of the same snake_case name
on its response class and serializes the returned ``ActionResult`` against
botocore's output shape. Our mixins come first in the MRO, so their methods win
over moto's; everything else is moto's. Before each action, ``settle`` lets
finished tasks leave their results (S3 objects, imported images).
"""

from __future__ import annotations

import time
from typing import Any

from moto.ec2.responses import EC2Response

from .describe_images import DescribeImagesMixin
from .export_actions import ExportActionsMixin
from .image_actions import ImageActionsMixin
from .import_actions import ImportActionsMixin
from .snapshot_progress import SnapshotProgressMixin
from .state import SandboxState
from .task_common import s3_backend


class SandboxEC2Response(
    DescribeImagesMixin,
    ImageActionsMixin,
    ExportActionsMixin,
    ImportActionsMixin,
    SnapshotProgressMixin,
    EC2Response,
):
    """Subclassed per Sandbox by ``bind`` so that each carries its own state."""

    def call_action(self) -> Any:
        self._settle_tasks()
        return super().call_action()

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


def bind(state: SandboxState) -> type[SandboxEC2Response]:
    """A response class whose requests read and write ``state``."""
    return type("BoundSandboxEC2Response", (SandboxEC2Response,), {"sandbox_state": state})
