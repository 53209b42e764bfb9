"""Images of their own for the lifecycle tests: copies of a seeded image, available."""

from __future__ import annotations

from .ec2_helpers import image, own_available, unique
from .polling import wait_for


def fresh_images(client, count: int, prefix: str = "lifecycle") -> list[str]:
    """``count`` new own private images (copies of a seeded one), once all are available."""
    source = own_available(client, **{"is-public": "false"})
    ids = [
        client.copy_image(
            Name=unique(prefix),
            SourceImageId=source["ImageId"],
            SourceRegion=client.meta.region_name,
        )["ImageId"]
        for _ in range(count)
    ]
    for image_id in ids:
        wait_for(lambda i=image_id: image(client, i)["State"], lambda s: s == "available")
    return ids


def shares(client, image_id: str) -> list[dict]:
    answer = client.describe_image_attribute(ImageId=image_id, Attribute="launchPermission")
    return answer["LaunchPermissions"]
