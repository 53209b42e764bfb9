"""Small helpers the sandbox tests share: names, lookups, error codes."""

from __future__ import annotations

import itertools

import pytest
from botocore.exceptions import ClientError

from .polling import collapse, wait_for

_names = itertools.count()


def unique(prefix: str) -> str:
    """A name no other test uses in this session (AMI names are unique per region)."""
    return f"{prefix}-{next(_names)}"


def image(client, image_id: str) -> dict:
    return client.describe_images(ImageIds=[image_id])["Images"][0]


def follow_state(client, image_id: str) -> list[str]:
    """The states an image goes through until it leaves `pending`."""
    seen = wait_for(lambda: image(client, image_id)["State"], lambda s: s != "pending")
    return collapse(seen)


def error_code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return info.value.response["Error"]["Code"]


def own_available(client, **filters) -> dict:
    query = [{"Name": "state", "Values": ["available"]}]
    query += [{"Name": k, "Values": [v]} for k, v in filters.items()]
    images = client.describe_images(Owners=["self"], Filters=query)["Images"]
    return next(i for i in images if not i["Name"].startswith("fail-"))


def running_instance(client, name: str) -> dict:
    answer = client.describe_instances(Filters=[{"Name": "tag:Name", "Values": [name]}])
    return answer["Reservations"][0]["Instances"][0]


def seeded_snapshot(client) -> dict:
    answer = client.describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": "tag:Name", "Values": ["legacy-app root volume"]}]
    )
    return answer["Snapshots"][0]
