"""What the sandbox keeps for issue 15 beside moto: usage reports, recipes, consumers.

* ``UsageReport``: a CreateImageUsageReport result. It is ``pending`` until
  ``ready_at`` and ``available`` after (time-driven, like a pending image); EC2
  deletes it 30 days after creation (``expires_at``), so it is no longer described.
* ``Recipe``: an Image Builder image or container recipe that names an image. moto
  5.2.5 has no Image Builder, so the seeded recipes live here, and only
  DescribeImageReferences reads them.
* Consumers: per image, the other accounts that use it and how many resources of
  each type they have (what a usage report counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .lifecycle import image_state

REPORT_LIFETIME_SECONDS = 30 * 24 * 3600.0
# How many pending_seconds a usage report stays pending.
REPORT_PENDING_FACTOR = 2.0
USAGE_RESOURCE_TYPES = (
    "ec2:Instance",
    "ec2:LaunchTemplate",
    "imagebuilder:ImageRecipe",
    "imagebuilder:ContainerRecipe",
)


@dataclass
class UsageReport:
    report_id: str
    image_id: str
    resource_types: list[dict[str, Any]]
    account_ids: list[str]
    created_at: float
    ready_at: float
    tags: dict[str, str] = field(default_factory=dict)
    # (account, resource type) -> count, fixed when the report is made
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def expires_at(self) -> float:
        return self.created_at + REPORT_LIFETIME_SECONDS

    def state(self, now: float) -> str:
        return image_state(now, self.ready_at, "available")


@dataclass(frozen=True)
class Recipe:
    resource_type: str  # imagebuilder:ImageRecipe | imagebuilder:ContainerRecipe
    arn: str
    image_id: str
