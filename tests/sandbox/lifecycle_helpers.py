"""Images of their own for the lifecycle tests: copies of a seeded image, available."""

from __future__ import annotations

from tests.support.sandbox_time import finish_now

from .ec2_helpers import image, own_available, unique


def fresh_images(sandbox, client, count: int, prefix: str = "lifecycle") -> list[str]:
    """``count`` new own private images (copies of a seeded one), available: the sandbox
    ends their pending time at once."""
    source = own_available(client, **{"is-public": "false"})
    ids = [
        client.copy_image(
            Name=unique(prefix),
            SourceImageId=source["ImageId"],
            SourceRegion=client.meta.region_name,
        )["ImageId"]
        for _ in range(count)
    ]
    finish_now(sandbox)
    assert [image(client, i)["State"] for i in ids] == ["available"] * count
    return ids


def shares(client, image_id: str) -> list[dict]:
    answer = client.describe_image_attribute(ImageId=image_id, Attribute="launchPermission")
    return answer["LaunchPermissions"]
