"""Small helpers the sandbox tests share: names, lookups, error codes."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .polling import collapse, wait_for

_names = itertools.count()


def unique(prefix: str) -> str:
    """A name no other test uses in this session (AMI names are unique per region)."""
    return f"{prefix}-{next(_names)}"


@contextmanager
def pending_for(sandbox, seconds: float) -> Iterator[None]:
    """Images made inside stay pending ``seconds`` (the sandbox's setting, put back after):
    long enough that a busy machine still sees each pending right after its call."""
    before = sandbox.pending_seconds
    sandbox.pending_seconds = seconds
    try:
        yield
    finally:
        sandbox.pending_seconds = before


def image(client, image_id: str) -> dict:
    return client.describe_images(ImageIds=[image_id])["Images"][0]


@dataclass
class Started:
    """An image an action just made, and the state it had right after the call.

    Tests start several at once (in a module fixture) so their pending seconds
    overlap, then each follows its own with ``states``.
    """

    client: Any
    image_id: str
    first_state: str

    def states(self) -> list[str]:
        """Every state seen until the image left `pending`, repeats collapsed."""
        later = wait_for(
            lambda: image(self.client, self.image_id)["State"], lambda s: s != "pending"
        )
        return collapse([self.first_state, *later])


def started(client, answer: dict) -> Started:
    image_id = answer["ImageId"]
    return Started(client, image_id, image(client, image_id)["State"])


def error_code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return info.value.response["Error"]["Code"]


def own_available(client, **filters) -> dict:
    query = [{"Name": "state", "Values": ["available"]}]
    query += [{"Name": k, "Values": [v]} for k, v in filters.items()]
    images = client.describe_images(Owners=["self"], Filters=query)["Images"]
    return next(i for i in images if not i["Name"].startswith("sandbox-fail-"))


def running_instance(client, name: str) -> dict:
    answer = client.describe_instances(Filters=[{"Name": "tag:Name", "Values": [name]}])
    return answer["Reservations"][0]["Instances"][0]


def seeded_snapshot(client) -> dict:
    answer = client.describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": "tag:Name", "Values": ["legacy-app root volume"]}]
    )
    return answer["Snapshots"][0]
