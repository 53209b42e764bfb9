"""The seeded organization (issue 18): the sandbox account manages an organization of
member accounts, each with its own images.

* The management account is the sandbox's default account (any credentials that moto
  does not know answer as it: the demo's, the tests').
* ``MEMBERS``: three active accounts with ``ROLE_NAME`` (trusting the management
  account), each owning images in ``ORG_REGIONS``; one active account without the
  role (AssumeRole answers AccessDenied, sts_server.py); one suspended (closed)
  account, which ListAccounts reports as ``SUSPENDED`` and an org listing skips.
* Member accounts' EC2 holds no public Amazon catalogue (the management account's
  does): their Owners=amazon listing is empty, unlike AWS; the app lists Owners=self.
* One image of the first member is shared with the second by a launch permission for
  its id: the second account sees it (ExecutableUsers=self) but does not own it.

Seeded last (after the cleanup catalogue), so that every id seeded before stays what it
was. ``SeedSummary.org`` is an ``OrgSummary``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from random import Random

from .amis import build_ami
from .catalogue import CATALOGUE_END, _mappings, _pick, _tags
from .moto_compat import add_org_account, create_organization, ec2_backends, member_ec2_backend

ROLE_NAME = "OrganizationAccountAccessRole"
ORG_REGIONS = ("us-east-1", "eu-west-1")
IMAGES_PER_REGION = 12
#: id -> (name, has the role)
MEMBERS: dict[str, tuple[str, bool]] = {
    "111111111111": ("platform-dev", True),
    "222222222222": ("platform-staging", True),
    "333333333333": ("payments-prod", True),
    "444444444444": ("legacy-acquired", False),
}
SUSPENDED = ("555555555555", "closed-sandbox")


@dataclass
class OrgSummary:
    management: str = ""
    #: every account ListAccounts names (management, members, suspended): id -> name
    names: dict[str, str] = field(default_factory=dict)
    #: active accounts whose role can be assumed -> region -> their own image ids
    images: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    no_role: str = ""
    suspended: str = ""
    #: (owner account, region, image id, the account it is shared with)
    shared: tuple[str, str, str, str] = ("", "", "", "")


def seed_org(seed: int, management: str) -> OrgSummary:
    rng = Random(seed * 1000 + 18)
    backend = create_organization(management)
    summary = OrgSummary(management=management, names={management: "management"})
    backend.accounts[0].name = "management"
    for account_id, (name, has_role) in MEMBERS.items():
        add_org_account(
            backend, account_id, name, f"aws+{name}@example.com", ROLE_NAME if has_role else None
        )
        summary.names[account_id] = name
        if not has_role:
            summary.no_role = account_id
            continue
        summary.images[account_id] = {
            region: _seed_member_images(account_id, region, rng) for region in ORG_REGIONS
        }
    closed = add_org_account(backend, SUSPENDED[0], SUSPENDED[1], "closed@example.com", ROLE_NAME)
    closed.close()
    summary.names[SUSPENDED[0]] = SUSPENDED[1]
    summary.suspended = SUSPENDED[0]
    summary.shared = _share_one(summary)
    return summary


def _seed_member_images(account_id: str, region: str, rng: Random) -> list[str]:
    ec2 = member_ec2_backend(account_id, region)  # without moto's public catalogue
    names: set[str] = set()
    made = []
    for _ in range(IMAGES_PER_REGION):
        family, when, arch, name = _pick(rng, names)
        when = min(when, CATALOGUE_END - timedelta(days=1))
        ami = build_ami(
            ec2,
            name=name,
            description=family.description(when.date(), arch, rng),
            mappings=_mappings(family, rng, encrypted=False),
            root_device_name=family.root_device,
            architecture=arch,
            platform=family.platform,
            creation_date=when.replace(tzinfo=None),
            tags=_tags(family, name, rng),
        )
        made.append(ami.id)
    return made


def _share_one(summary: OrgSummary) -> tuple[str, str, str, str]:
    """The first member's first image in us-east-1, shared with the second member (the
    image lives in its owner's backend and, like any shared image, is seen from the other)."""
    owner, other = list(summary.images)[:2]
    region = ORG_REGIONS[0]
    image_id = summary.images[owner][region][0]
    ami = ec2_backends[owner][region].amis[image_id]
    ami.launch_permissions.append({"UserId": other})
    ec2_backends[other][region].amis[image_id] = ami
    return owner, region, image_id, other
