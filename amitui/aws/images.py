"""The Image record (slim, slotted) and the streaming, paginated DescribeImages listing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from sys import intern
from typing import Any

#: The size of the first DescribeImages page: small, so the first rows show at once.
FIRST_PAGE = 100

#: The owner aliases DescribeImages accepts besides account ids.
OWNER_ALIASES = ("self", "amazon", "aws-marketplace")
#: Where a listing client's DescribeImages answer carries its Image rows, parsed straight
#: from the XML (amitui.aws.describe_images_hook); absent, the rows come from "Images".
IMAGE_ROWS = "amitui:ImageRows"


@dataclass(slots=True)
class Image:
    """One AMI, as the inventory shows it. The detail screen re-fetches the full record."""

    image_id: str
    region: str
    name: str = ""
    state: str = ""
    architecture: str = ""
    platform: str = ""
    root_device_type: str = ""
    root_size_gib: int | None = None
    creation_date: str = ""
    owner_id: str = ""
    owner_alias: str = ""
    public: bool = False
    deprecation_time: str = ""
    description: str = ""
    virtualization_type: str = ""
    image_type: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    snapshot_ids: tuple[str, ...] = ()
    #: LastLaunchedTime ("" when AWS reports none: never, or not the caller's image)
    last_launched: str = ""
    #: DeregistrationProtection ("" when the endpoint does not report it)
    protection: str = ""
    source_image_id: str = ""
    source_region: str = ""
    #: ImageAllowed (Allowed AMIs): None when not reported
    allowed: bool | None = None
    #: any of its EBS snapshots is encrypted (sharing it needs the KMS key shared too)
    encrypted: bool = False
    #: the sum of its EBS volumes' sizes (GiB): what its snapshots hold at most
    size_gib: int = 0
    #: the account the image was listed in (--accounts: its id; "" for the one account)
    account: str = ""
    #: that account's name (ListAccounts, or the profile's name)
    account_name: str = ""

    @property
    def place(self) -> str:
        """Where it was listed: ``account/region`` with --accounts, else the region."""
        return place_of(self.account, self.region)

    @property
    def owner(self) -> str:
        return self.owner_alias or self.owner_id

    @property
    def root_device(self) -> str:
        if self.root_size_gib is None:
            return self.root_device_type
        return f"{self.root_device_type} {self.root_size_gib} GiB"

    def tag(self, key: str) -> str | None:
        for k, v in self.tags:
            if k == key:
                return v
        return None

    @classmethod
    def from_api(cls, raw: dict[str, Any], region: str) -> Image:
        # Runs 100,000 times for a big catalogue: one bound ``get``, no work for absent keys,
        # and the few-valued fields interned (botocore gives every row its own copy of
        # "available", "x86_64", the owner id...: 40 MB at 100k rows).
        get = raw.get
        root_name = get("RootDeviceName")
        root_size = None
        snapshots: tuple[str, ...] = ()
        encrypted = False
        size = 0
        mappings = get("BlockDeviceMappings")
        if mappings:
            found = []
            for bdm in mappings:
                ebs = bdm.get("Ebs")
                if not ebs:
                    continue
                encrypted = encrypted or bool(ebs.get("Encrypted"))
                size += ebs.get("VolumeSize") or 0
                snap = ebs.get("SnapshotId")
                if snap:
                    found.append(snap)
                if bdm.get("DeviceName") == root_name or (root_size is None and root_name is None):
                    root_size = ebs.get("VolumeSize")
            snapshots = tuple(found)
        tags = get("Tags")
        if tags:
            tags = tuple((intern(t.get("Key", "")), t.get("Value", "")) for t in tags)
        return cls(
            image_id=get("ImageId", ""),
            region=region,
            name=get("Name") or "",
            state=intern(get("State") or ""),
            architecture=intern(get("Architecture") or ""),
            platform=intern(get("PlatformDetails") or get("Platform") or ""),
            root_device_type=intern(get("RootDeviceType") or ""),
            root_size_gib=root_size,
            creation_date=get("CreationDate") or "",
            owner_id=intern(get("OwnerId") or ""),
            owner_alias=intern(get("ImageOwnerAlias") or ""),
            public=bool(get("Public")),
            deprecation_time=get("DeprecationTime") or "",
            description=get("Description") or "",
            virtualization_type=intern(get("VirtualizationType") or ""),
            image_type=intern(get("ImageType") or ""),
            tags=tags or (),
            snapshot_ids=snapshots,
            last_launched=get("LastLaunchedTime") or "",
            protection=intern(get("DeregistrationProtection") or ""),
            source_image_id=get("SourceImageId") or "",
            source_region=intern(get("SourceImageRegion") or ""),
            allowed=get("ImageAllowed"),
            encrypted=encrypted,
            size_gib=size,
        )


def place_of(account: str, region: str) -> str:
    """A listing's place: ``account/region`` with --accounts, else the region ("" is the
    one account of the settings' credentials). An image shared with several accounts is
    listed in each: a row per place."""
    return f"{account}/{region}" if account else region


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What to list: the owner scope and the two include toggles."""

    owners: tuple[str, ...] = ("self",)
    include_deprecated: bool = False
    include_disabled: bool = False
    executable_by_me: bool = False

    def request(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.executable_by_me:
            params["ExecutableUsers"] = ["self"]
        owners = [o for o in self.owners if o]
        if owners:
            params["Owners"] = owners
        if self.include_deprecated:
            params["IncludeDeprecated"] = True
        if self.include_disabled:
            params["IncludeDisabled"] = True
        return params

    def label(self) -> str:
        scope = "executable by me" if self.executable_by_me else ",".join(self.owners) or "all"
        extras = [
            n
            for n, on in (
                ("+deprecated", self.include_deprecated),
                ("+disabled", self.include_disabled),
            )
            if on
        ]
        return " ".join([scope, *extras])


def first_request(
    query: ListQuery, page_size: int = 1000, first_page: int = FIRST_PAGE
) -> dict[str, Any]:
    """The parameters of a listing's first DescribeImages call (every lister asks it)."""
    return {**query.request(), "MaxResults": max(5, min(page_size, first_page))}


def iter_image_pages(
    ec2: Any,
    region: str,
    query: ListQuery,
    page_size: int = 1000,
    cancelled: Callable[[], bool] = lambda: False,
    first_page: int = FIRST_PAGE,
) -> Iterator[list[Image]]:
    """Yield one list of Images per DescribeImages page, as each page arrives.

    The first page is small (``first_page`` images) so that rows show at once; the rest
    use ``page_size``. EC2 accepts a different MaxResults with each NextToken.
    """
    params = first_request(query, page_size, first_page)
    while True:
        if cancelled():
            return
        answer = ec2.describe_images(**params)
        yield page_images(answer, region)
        token = answer.get("NextToken")
        if not token:
            return
        params["NextToken"] = token
        params["MaxResults"] = page_size


def page_images(answer: dict[str, Any], region: str) -> list[Image]:
    """A DescribeImages answer's images as rows: the ones a listing client parsed from the
    XML, or else built from botocore's dicts."""
    rows: list[Image] | None = answer.get(IMAGE_ROWS)
    if rows is not None:
        return rows
    return [Image.from_api(raw, region) for raw in answer.get("Images", ())]


def describe_image(ec2: Any, image_id: str) -> dict[str, Any] | None:
    """The full DescribeImages record of one image (deprecated and disabled included)."""
    answer = ec2.describe_images(ImageIds=[image_id], IncludeDeprecated=True, IncludeDisabled=True)
    images = answer.get("Images") or []
    return images[0] if images else None


def launch_permissions(ec2: Any, image_id: str) -> list[dict[str, Any]]:
    answer = ec2.describe_image_attribute(ImageId=image_id, Attribute="launchPermission")
    return list(answer.get("LaunchPermissions") or [])


def fetch_images(ec2: Any, region: str, image_ids: Iterable[str]) -> list[Image]:
    ids = list(image_ids)
    if not ids:
        return []
    answer = ec2.describe_images(ImageIds=ids, IncludeDeprecated=True, IncludeDisabled=True)
    return [Image.from_api(raw, region) for raw in answer.get("Images", ())]


def public_sharing(ec2: Any) -> str:
    """GetImageBlockPublicAccessState: ``block-new-sharing`` or ``unblocked``."""
    answer = ec2.get_image_block_public_access_state()
    return str(answer.get("ImageBlockPublicAccessState") or "")


def public_sharing_summary(states: dict[str, str | None]) -> str:
    """One phrase for the header from each listed region's state (None: not read):
    'blocked', 'allowed', 'blocked in eu-west-1', with 'not verified in …' for the rest."""
    blocked = sorted(r for r, s in states.items() if s == "block-new-sharing")
    unknown = sorted(r for r, s in states.items() if s not in ("block-new-sharing", "unblocked"))
    if unknown and len(unknown) == len(states):
        return "not verified"
    if blocked and len(blocked) + len(unknown) == len(states):
        text = "blocked"
    elif blocked:
        text = "blocked in " + ", ".join(blocked)
    else:
        text = "allowed"
    return text + (f" (not verified in {', '.join(unknown)})" if unknown else "")
