"""The seeded catalogue's images for lifecycle and sharing (issue 16), and the block
public access state of each seeded region.

Seeded after the usage roles (catalogue_usage.py) straight into moto's backends, from
images the catalogue already has, so every count and id stays what it was.
``SeedSummary.lifecycle`` maps each role to its image id (all in us-east-1 but
``leave_me``):

* ``shared_with_me``: an image of account 210987654321 shared with the sandbox
  account by a launch permission for its id (catalogue_others.py): CancelImageLaunch-
  Permission works on it. ``leave_me`` is the same kind of image in ap-southeast-2,
  for tests that really leave one (the sandbox is shared by a test session).
* ``public_own``: an own, available, public image (launch permission ``Group=all``).
* ``encrypted_own``: an own, available, private image whose every EBS snapshot is
  encrypted with a KMS key (``KmsKeyId`` in its mappings; the key ARN is the
  sandbox's made-up customer key, amis.default_kms_key_arn).
* ``shared_org``: an own, available image shared with account 111122223333, the
  organization ``ORGANIZATION_ARN`` and the OU ``OU_ARN``.

Image block public access (GetImageBlockPublicAccessState): ``block-new-sharing`` in
eu-west-1 (``BLOCKED_REGIONS``), ``unblocked`` in us-east-1, ap-southeast-2 and every
other region. eu-west-1's public images made before stay public, as on AWS.
"""

from __future__ import annotations

from typing import Any

from .amis import SandboxAmi
from .catalogue_others import PARTNER_ACCOUNT
from .moto_compat import ec2_backends
from .sharing import BLOCKED
from .state import SandboxState

REGION = "us-east-1"
LEAVE_REGION = "ap-southeast-2"
BLOCKED_REGIONS = ("eu-west-1",)
ORG_ACCOUNT = "111122223333"
ORGANIZATION_ARN = "arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5"
OU_ARN = "arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/ou-ab12-cd34ef56"


def _shared_by_partner(amis: dict[str, Any], ids: list[str], account: str) -> str:
    return next(
        i
        for i in ids
        if amis[i].owner_id == PARTNER_ACCOUNT
        and {"UserId": account} in amis[i].launch_permissions
        and not amis[i].deprecation_time
    )


def _own(amis: dict[str, Any], ids: list[str], taken: set[str], want: Any) -> str:
    """The first own, available, current image of ``ids`` that ``want`` accepts and no
    role has yet."""
    for ami_id in ids:
        ami = amis.get(ami_id)
        if (
            isinstance(ami, SandboxAmi)
            and ami_id not in taken
            and ami.state == "available"
            and not ami.deprecation_time
            and want(ami)
        ):
            return ami_id
    raise LookupError("the catalogue has no image for a lifecycle role")  # pragma: no cover


def _all_encrypted(ami: SandboxAmi) -> bool:
    ebs = [m["Ebs"] for m in ami.block_device_mappings if "Ebs" in m]
    return bool(ebs) and all(e.get("Encrypted") and e.get("KmsKeyId") for e in ebs)


def seed_lifecycle(
    state: SandboxState, summary: Any, account: str, usage: dict[str, str]
) -> dict[str, str]:
    """Seed the roles above and the block public access states; return role -> id."""
    for region in BLOCKED_REGIONS:
        state.book(account, region).image_block_public_access = BLOCKED
    amis: dict[str, Any] = ec2_backends[account][REGION].amis
    there: dict[str, Any] = ec2_backends[account][LEAVE_REGION].amis
    own_ids = summary.images[REGION]
    taken = set(usage.values())
    roles = {
        "shared_with_me": _shared_by_partner(amis, summary.others[REGION], account),
        "leave_me": _shared_by_partner(there, summary.others[LEAVE_REGION], account),
    }
    for role, want in (
        ("public_own", lambda a: a.is_public),
        ("encrypted_own", lambda a: not a.launch_permissions and _all_encrypted(a)),
        ("shared_org", lambda a: not a.launch_permissions),
    ):
        roles[role] = _own(amis, own_ids, taken, want)
        taken.add(roles[role])
    amis[roles["shared_org"]].launch_permissions.extend(
        [
            {"UserId": ORG_ACCOUNT},
            {"OrganizationArn": ORGANIZATION_ARN},
            {"OrganizationalUnitArn": OU_ARN},
        ]
    )
    return roles
