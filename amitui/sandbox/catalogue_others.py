"""Other accounts' images the sandbox account can see (or, for one, cannot).

So that Owners, ExecutableUsers and IncludeDeprecated have something to act on,
every seeded region also holds:

* images of the partner account ``PARTNER_ACCOUNT`` shared with the sandbox
  account (a launch permission for its id): two current, one deprecated;
* public images of the vendor account ``VENDOR_ACCOUNT``: one current, two
  deprecated (hidden unless IncludeDeprecated=true);
* one private image of the partner account that is not shared: invisible to the
  sandbox account, by listing or by id.

Their snapshots belong to their owners, so they are not in the sandbox account's
DescribeSnapshots.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

from .amis import build_ami, iso_z

PARTNER_ACCOUNT = "210987654321"
VENDOR_ACCOUNT = "345678901234"
CATALOGUE_DAY = datetime(2025, 12, 15, 12, 0, tzinfo=UTC)

# (owner, name stem, shared with the caller, public, deprecated days before the end)
OTHERS: tuple[tuple[str, str, bool, bool, int | None], ...] = (
    (PARTNER_ACCOUNT, "partner-base-al2023", True, False, None),
    (PARTNER_ACCOUNT, "partner-gpu-runtime", True, False, None),
    (PARTNER_ACCOUNT, "partner-base-al2", True, False, 120),
    (VENDOR_ACCOUNT, "acme-hardened-ubuntu-24.04", False, True, None),
    (VENDOR_ACCOUNT, "acme-hardened-ubuntu-20.04", False, True, 300),
    (VENDOR_ACCOUNT, "acme-hardened-debian-11", False, True, 60),
    (PARTNER_ACCOUNT, "partner-internal-secret", False, False, None),
)


def seed_other_accounts(backend: Any, seed: int) -> list[str]:
    """Add the other accounts' images to ``backend``; their ids, in OTHERS order."""
    rng = Random(f"others/{seed}/{backend.region_name}")
    account = backend.account_id
    made = []
    for owner, stem, shared, public, deprecated_days in OTHERS:
        created = CATALOGUE_DAY - timedelta(days=rng.randint(400, 900), minutes=rng.randint(0, 999))
        arch = rng.choice(("x86_64", "arm64"))
        name = f"{stem}-{created:%Y%m%d}-{arch}"
        ami = build_ami(
            backend,
            name=name,
            description=f"{stem} ({arch}), built {created:%Y-%m-%d}",
            mappings=[
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "VolumeSize": rng.choice((8, 16, 30)),
                        "VolumeType": "gp3",
                        "Encrypted": False,
                        "DeleteOnTermination": True,
                    },
                }
            ],
            root_device_name="/dev/xvda",
            architecture=arch,
            owner_id=owner,
            public=public,
            creation_date=created.replace(tzinfo=None),
            boot_mode="uefi" if arch == "arm64" else "uefi-preferred",
        )
        for snapshot_id in ami.snapshot_ids():  # not the sandbox account's snapshots
            backend.snapshots.pop(snapshot_id, None)
        if shared:
            ami.launch_permissions.append({"UserId": account})
        if deprecated_days is not None:
            ami.deprecation_time = iso_z(CATALOGUE_DAY - timedelta(days=deprecated_days))
        made.append(ami.id)
    return made
