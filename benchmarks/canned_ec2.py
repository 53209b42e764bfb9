"""A canned-page EC2 endpoint for benchmarks: DescribeImages pages rendered once, served free.

moto needs ~0.65 ms per listed image, so it cannot serve 100,000 images fast enough to
measure a client. This server renders a deterministic catalogue of realistic EC2 XML once
at start, and answers each DescribeImages call (any MaxResults from 5 to 1000, honouring
NextToken) with a slice of the bytes it already holds. It also answers sts
GetCallerIdentity, so the app's header works. Every region gets the same catalogue: by
default any region is accepted and the ids are identical; with ``regions`` only those are
served, each with region-tagged ids (``ami-00a1<region index>...``).

    python -m benchmarks.canned_ec2 --port 5056 [--images 100000] [--delay-ms 0]

prints its URL on the first line of stdout and serves until interrupted. In-process::

    with CannedEc2(images=100_000) as server:
        client = boto3.client("ec2", endpoint_url=server.url, ...)

Latency model: ``delay_ms`` per DescribeImages answer plus ``per_image_ms`` per image in it
(on AWS a page of 1000 takes about a second of server time), plus ``first_page_ms`` on a
listing's first page (a call without NextToken: a slow first answer, for a cached start).
Concurrency across regions and partitions only shows with latency. The ``creation-date``
filter is honoured with AWS's wildcard rules (``*`` any run, ``?`` one character), so a
listing may be split into creation-date partitions; pages and NextTokens then run over the
matching images.
``throttle`` answers that share of DescribeImages calls (every 10th at 0.1) with HTTP 503
RequestLimitExceeded, as AWS throttles.

``accounts`` (N > 0, with ``regions``): an organization of N accounts, the caller's own
(``ACCOUNT``) and N-1 members (``member_id(i)``). organizations ListAccounts names them
(pages of 20), sts AssumeRole into ``arn:aws:iam::<member>:role/<any>`` answers credentials
whose access key is ``ASIA<member id>``, and a request signed with one is that member's:
its DescribeImages pages carry ids tagged with the account's and the region's index
(``ami-<account:02x><region:x>1b...``), so each account x region holds its own images.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import random
import re
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

ACCOUNT = "123456789012"
NS_EC2 = "http://ec2.amazonaws.com/doc/2016-11-15/"
NS_STS = "https://sts.amazonaws.com/doc/2011-06-15/"

# (owner id, owner alias or "", name pattern, description pattern, platform, root device,
#  root size GiB, boot mode, weight). Patterns take {v} (version), {arch}, {date}, {n}.
FAMILIES = (
    (
        "137112412989",
        "amazon",
        "al2023-ami-2023.{v}-kernel-6.1-{arch}",
        "Amazon Linux 2023 AMI 2023.{v} {arch} HVM kernel-6.1",
        "",
        "/dev/xvda",
        8,
        "uefi-preferred",
        14,
    ),
    (
        "137112412989",
        "amazon",
        "amzn2-ami-kernel-5.10-hvm-2.0.{date}.0-{arch}-gp2",
        "Amazon Linux 2 Kernel 5.10 AMI 2.0.{date}.0 {arch} HVM gp2",
        "",
        "/dev/xvda",
        8,
        "",
        12,
    ),
    (
        "099720109477",
        "",
        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-{arch2}-server-{date}",
        "Canonical, Ubuntu, 24.04, {arch2} noble image",
        "",
        "/dev/sda1",
        8,
        "",
        16,
    ),
    (
        "099720109477",
        "",
        "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-{arch2}-server-{date}",
        "Canonical, Ubuntu, 22.04 LTS, {arch2} jammy image build on {date}",
        "",
        "/dev/sda1",
        8,
        "",
        14,
    ),
    (
        "136693071363",
        "",
        "debian-12-{arch2}-{date}-{n}",
        "Debian 12 (bookworm) {arch2} {date}",
        "",
        "/dev/xvda",
        8,
        "",
        8,
    ),
    (
        "801119661308",
        "amazon",
        "Windows_Server-2022-English-Full-Base-{date2}",
        "Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon",
        "windows",
        "/dev/sda1",
        30,
        "",
        9,
    ),
    (
        "309956199498",
        "",
        "RHEL-9.{v2}.0_HVM-{date}-{arch}-{n}-Hourly2-GP3",
        "Provided by Red Hat, Inc.",
        "Red Hat Enterprise Linux",
        "/dev/sda1",
        10,
        "",
        6,
    ),
    (
        "013907871322",
        "amazon",
        "suse-sles-15-sp{v2}-v{date}-hvm-ssd-{arch}",
        "SUSE Linux Enterprise Server 15 SP{v2} ({arch}, HVM, EBS)",
        "SUSE Linux",
        "/dev/sda1",
        10,
        "",
        5,
    ),
    (
        "092701018921",
        "",
        "bottlerocket-aws-k8s-1.{v2}-{arch}-v1.{n}.0-{hex8}",
        "bottlerocket-aws-k8s-1.{v2}-{arch}-v1.{n}.0-{hex8}",
        "",
        "/dev/xvda",
        2,
        "",
        6,
    ),
    (
        "602401143452",
        "amazon",
        "amazon-eks-node-al2023-{arch}-standard-1.{v2}-v{date}",
        "EKS-optimized Kubernetes node based on Amazon Linux 2023, (k8s: 1.{v2}, {arch})",
        "",
        "/dev/xvda",
        20,
        "",
        6,
    ),
    (
        ACCOUNT,
        "",
        "[web] build-{n} {date}",
        "Team image built by CI from main@{hex8}",
        "",
        "/dev/xvda",
        16,
        "",
        4,
    ),
)

PLATFORM_DETAILS = {
    "": ("Linux/UNIX", "RunInstances"),
    "windows": ("Windows", "RunInstances:0002"),
    "Red Hat Enterprise Linux": ("Red Hat Enterprise Linux", "RunInstances:0010"),
    "SUSE Linux": ("SUSE Linux", "RunInstances:000g"),
}
TEAMS = ("web", "data", "platform", "ml", "webapp")
EPOCH = datetime(2016, 1, 1, tzinfo=UTC)


def image_id(index: int) -> str:
    return f"ami-{index + 0x0A1B000000000000:017x}"


def _raw(index: int, rng: random.Random, weights: list[int]) -> dict[str, Any]:
    """One image as botocore returns it (the dict DescribeImages' parser builds)."""
    owner, alias, name_p, desc_p, platform, root, size, boot, _w = rng.choices(FAMILIES, weights)[0]
    arch = "arm64" if platform != "windows" and rng.random() < 0.35 else "x86_64"
    created = EPOCH + timedelta(seconds=rng.randrange(0, 10 * 365 * 86400))
    date = created.strftime("%Y%m%d")
    fields = {
        "v": f"{rng.randint(0, 9)}.{date}.{rng.randint(0, 3)}",
        "v2": rng.randint(1, 33),
        "arch": arch,
        "arch2": "arm64" if arch == "arm64" else "amd64",
        "date": date,
        "date2": created.strftime("%Y.%m.%d"),
        "n": index,
        "hex8": f"{rng.getrandbits(32):08x}",
    }
    name = name_p.format(**fields)
    details, usage = PLATFORM_DETAILS[platform]
    public = owner != ACCOUNT
    raw: dict[str, Any] = {
        "ImageId": image_id(index),
        "ImageLocation": f"{alias or owner}/{name}",
        "State": "available"
        if rng.random() < 0.97
        else rng.choice(("pending", "failed", "disabled")),
        "OwnerId": owner,
        "CreationDate": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "Public": public,
        "Architecture": arch,
        "ImageType": "machine",
    }
    if platform == "windows":
        raw["Platform"] = "windows"
    raw["SriovNetSupport"] = "simple"
    if alias:
        raw["ImageOwnerAlias"] = alias
    mappings: list[dict[str, Any]] = [
        {
            "DeviceName": root,
            "Ebs": {
                "SnapshotId": f"snap-{rng.getrandbits(68):017x}",
                "VolumeSize": size,
                "DeleteOnTermination": True,
                "VolumeType": "gp3",
                "Iops": 3000,
                "Throughput": 125,
                "Encrypted": False,
            },
        }
    ]
    if rng.random() < 0.2:
        mappings.append({"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"})
    raw.update(
        Name=name,
        Description=desc_p.format(**fields),
        RootDeviceType="ebs",
        RootDeviceName=root,
        BlockDeviceMappings=mappings,
        VirtualizationType="hvm",
        Hypervisor="xen",
        EnaSupport=True,
        PlatformDetails=details,
        UsageOperation=usage,
    )
    if boot:
        raw["BootMode"] = boot
        raw["ImdsSupport"] = "v2.0"
    if public and rng.random() < 0.6:
        deprecation = min(created + timedelta(days=730), datetime(2099, 1, 1, tzinfo=UTC))
        raw["DeprecationTime"] = deprecation.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if not public or rng.random() < 0.1:
        tags = [("Name", name[:40]), ("Team", rng.choice(TEAMS))]
        if rng.random() < 0.5:
            tags.append(("Env", rng.choice(("prod", "staging", "dev"))))
        raw["Tags"] = [{"Key": k, "Value": v} for k, v in tags]
    return raw


#: Dict keys in EC2's element order, with their XML names (nested ones handled apart).
_SCALARS = (
    ("ImageId", "imageId"),
    ("ImageLocation", "imageLocation"),
    ("State", "imageState"),
    ("OwnerId", "imageOwnerId"),
    ("CreationDate", "creationDate"),
    ("Public", "isPublic"),
    ("Architecture", "architecture"),
    ("ImageType", "imageType"),
    ("Platform", "platform"),
    ("SriovNetSupport", "sriovNetSupport"),
    ("ImageOwnerAlias", "imageOwnerAlias"),
    ("Name", "name"),
    ("Description", "description"),
    ("RootDeviceType", "rootDeviceType"),
    ("RootDeviceName", "rootDeviceName"),
    ("BlockDeviceMappings", None),
    ("VirtualizationType", "virtualizationType"),
    ("Hypervisor", "hypervisor"),
    ("EnaSupport", "enaSupport"),
    ("PlatformDetails", "platformDetails"),
    ("UsageOperation", "usageOperation"),
    ("BootMode", "bootMode"),
    ("ImdsSupport", "imdsSupport"),
    ("DeprecationTime", "deprecationTime"),
    ("Tags", None),
)
_EBS = (
    ("SnapshotId", "snapshotId"),
    ("VolumeSize", "volumeSize"),
    ("DeleteOnTermination", "deleteOnTermination"),
    ("VolumeType", "volumeType"),
    ("Iops", "iops"),
    ("Throughput", "throughput"),
    ("Encrypted", "encrypted"),
)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def render_item(raw: dict[str, Any]) -> str:
    """One ``<item>`` of a DescribeImagesResponse, indented as EC2 indents it."""
    pad = " " * 12
    out = ["        <item>\n"]
    for key, tag in _SCALARS:
        value = raw.get(key)
        if value is None:
            continue
        if key == "BlockDeviceMappings":
            out.append(f"{pad}<blockDeviceMapping>\n")
            for bdm in value:
                out.append(f"{pad}    <item>\n{pad}        <deviceName>{bdm['DeviceName']}")
                out.append("</deviceName>\n")
                if "VirtualName" in bdm:
                    out.append(f"{pad}        <virtualName>{bdm['VirtualName']}</virtualName>\n")
                if "Ebs" in bdm:
                    out.append(f"{pad}        <ebs>\n")
                    for ekey, etag in _EBS:
                        if ekey in bdm["Ebs"]:
                            text = _text(bdm["Ebs"][ekey])
                            out.append(f"{pad}            <{etag}>{text}</{etag}>\n")
                    out.append(f"{pad}        </ebs>\n")
                out.append(f"{pad}    </item>\n")
            out.append(f"{pad}</blockDeviceMapping>\n")
        elif key == "Tags":
            out.append(f"{pad}<tagSet>\n")
            for tag_ in value:
                out.append(
                    f"{pad}    <item>\n"
                    f"{pad}        <key>{_text(tag_['Key'])}</key>\n"
                    f"{pad}        <value>{_text(tag_['Value'])}</value>\n"
                    f"{pad}    </item>\n"
                )
            out.append(f"{pad}</tagSet>\n")
        else:
            out.append(f"{pad}<{tag}>{_text(value)}</{tag}>\n")
    out.append("        </item>\n")
    return "".join(out)


def iter_raw(count: int, seed: int = 6) -> Iterator[dict[str, Any]]:
    """The catalogue as botocore-shaped dicts, deterministic for a seed."""
    rng = random.Random(seed)
    weights = [f[-1] for f in FAMILIES]
    for index in range(count):
        yield _raw(index, rng, weights)


def iter_items(count: int, seed: int = 6) -> Iterator[str]:
    """The catalogue's ``<item>`` elements, deterministic for a seed."""
    for raw in iter_raw(count, seed):
        yield render_item(raw)


def _token(start: int) -> str:
    """An opaque NextToken that looks like EC2's (long, base64) and names the next image."""
    digest = hashlib.sha256(str(start).encode()).digest() * 4
    return base64.b64encode(f"p{start:07d}:".encode() + digest).decode()


def _token_start(token: str) -> int | None:
    """The image a token points at, or None for a token this server never gave."""
    try:
        start = int(base64.b64decode(token)[1:8])
    except ValueError:
        return None
    return start if _token(start) == token else None


def _head() -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<DescribeImagesResponse xmlns="{NS_EC2}">\n'
        f"    <requestId>{uuid.uuid4()}</requestId>\n"
        "    <imagesSet>\n"
    ).encode()


def _tail(token: str | None) -> bytes:
    nxt = f"    <nextToken>{token}</nextToken>\n" if token else ""
    return f"    </imagesSet>\n{nxt}</DescribeImagesResponse>".encode()


def _error(code: str, message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
        f"<Code>{code}</Code><Message>{escape(message)}</Message></Error></Errors>"
        f"<RequestID>{uuid.uuid4()}</RequestID></Response>"
    ).encode()


IDENTITY = (
    f'<GetCallerIdentityResponse xmlns="{NS_STS}">\n'
    "  <GetCallerIdentityResult>\n"
    f"    <Arn>arn:aws:iam::{ACCOUNT}:user/bench</Arn>\n"
    "    <UserId>AIDABENCHBENCHBENCH</UserId>\n"
    f"    <Account>{ACCOUNT}</Account>\n"
    "  </GetCallerIdentityResult>\n"
    "  <ResponseMetadata><RequestId>4f0c5d7e-bench</RequestId></ResponseMetadata>\n"
    "</GetCallerIdentityResponse>\n"
).encode()


def member_id(index: int) -> str:
    """The id of the organization's account ``index`` (0 is the caller's own)."""
    return ACCOUNT if index == 0 else f"{200000000000 + index:012d}"


def _assumed(account: str) -> bytes:
    expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f'<AssumeRoleResponse xmlns="{NS_STS}"><AssumeRoleResult><Credentials>'
        f"<AccessKeyId>ASIA{account}</AccessKeyId><SecretAccessKey>bench</SecretAccessKey>"
        f"<SessionToken>bench-{account}</SessionToken><Expiration>{expires}</Expiration>"
        f"</Credentials><AssumedRoleUser><AssumedRoleId>AROABENCH:amitui</AssumedRoleId>"
        f"<Arn>arn:aws:sts::{account}:assumed-role/bench/amitui</Arn></AssumedRoleUser>"
        "</AssumeRoleResult><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata>"
        "</AssumeRoleResponse>"
    ).encode()


def _identity(account: str) -> bytes:
    return IDENTITY.replace(ACCOUNT.encode(), account.encode())


def _signed_account(authorization: str) -> str:
    """The account of a request signed with ``ASIA<account id>`` (else the caller's own)."""
    _, _, credential = authorization.partition("Credential=")
    key = credential.split("/")[0]
    return key[4:] if key.startswith("ASIA") and len(key) == 16 else ACCOUNT


class Catalogue:
    """The whole catalogue's ``<item>`` elements rendered once into one buffer.

    A page of any MaxResults from any NextToken is a slice of it between two item offsets
    (a memcpy of ~2 MB per 1000 images), so serving costs next to nothing, and a client
    may change MaxResults between pages as EC2 allows.
    """

    def __init__(self, images: int = 100_000, seed: int = 6) -> None:
        self.images = images
        self.seed = seed
        self.blob = bytearray()
        self.offsets = [0]
        self.created: list[str] = []
        for raw in iter_raw(images, seed):
            self.blob += render_item(raw).encode()
            self.offsets.append(len(self.blob))
            self.created.append(raw["CreationDate"])
        self.bytes = len(self.blob)
        self._matching: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def page(self, start: int, size: int) -> bytes:
        end = min(start + size, self.images)
        token = _token(end) if end < self.images else None
        return b"".join((_head(), self.blob[self.offsets[start] : self.offsets[end]], _tail(token)))

    def matching(self, pattern: str) -> list[int]:
        """The indexes of the images whose CreationDate matches an AWS wildcard pattern."""
        with self._lock:
            found = self._matching.get(pattern)
            if found is None:
                regex = re.compile(
                    "".join(
                        ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern
                    )
                )
                found = [i for i, date in enumerate(self.created) if regex.fullmatch(date)]
                self._matching[pattern] = found
            return found

    def filtered_page(self, pattern: str, start: int, size: int) -> tuple[bytes, int]:
        """A page of the images matching ``pattern`` and how many images it holds."""
        chosen = self.matching(pattern)[start : start + size]
        end = start + len(chosen)
        token = _token(end) if end < len(self.matching(pattern)) else None
        items = b"".join(self.blob[self.offsets[i] : self.offsets[i + 1]] for i in chosen)
        return b"".join((_head(), items, _tail(token))), len(chosen)

    def some(self, ids: list[str]) -> bytes:
        """DescribeImages with ImageIds (the detail screen): rendered on demand."""
        wanted = set(ids)
        found = [render_item(r) for r in iter_raw(self.images, self.seed) if r["ImageId"] in wanted]
        return b"".join((_head(), "".join(found).encode(), _tail(None)))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: botocore reuses its pooled connections
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        target = self.headers.get("X-Amz-Target", "")
        if target.endswith(".ListAccounts"):
            return self._list_accounts(json.loads(raw or "{}"))
        form = parse_qs(raw, keep_blank_values=True)
        action = (form.get("Action") or [""])[0]
        status, body = 200, b""
        if action == "DescribeImages":
            status, body = self._describe_images(form)
        elif action == "GetCallerIdentity":
            body = _identity(_signed_account(self.headers.get("Authorization", "")))
        elif action == "AssumeRole" and self.server.accounts:
            account = (form.get("RoleArn") or [""])[0].split(":")[4:5]
            body = _assumed(account[0] if account else "")
        else:
            status, body = 400, _error("InvalidAction", f"The action {action} is not valid")
        self.send_response(status)
        self.send_header("Content-Type", "text/xml;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _list_accounts(self, request: dict[str, Any]) -> None:
        count = self.server.accounts
        start = int(request.get("NextToken") or 0)
        size = int(request.get("MaxResults") or 20)
        names = range(start, min(count, start + size))
        answer: dict[str, Any] = {
            "Accounts": [
                {"Id": member_id(i), "Name": f"bench-{i:02d}", "Status": "ACTIVE"} for i in names
            ]
        }
        if start + size < count:
            answer["NextToken"] = str(start + size)
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _describe_images(self, form: dict[str, list[str]]) -> tuple[int, bytes]:
        catalogue = self.server.catalogue
        if self.server.throttled():
            return 503, _error("RequestLimitExceeded", "Request limit exceeded.")
        ids = [v[0] for k, v in form.items() if k.startswith("ImageId.")]
        if ids:
            return 200, catalogue.some(ids)
        token = (form.get("NextToken") or [""])[0]
        start = _token_start(token) if token else 0
        if start is None:
            return 400, _error("InvalidPaginationToken", f"The token '{token}' is invalid.")
        size = int((form.get("MaxResults") or ["1000"])[0])
        if not 5 <= size <= 1000:
            message = f"Value ({size}) for parameter maxResults is invalid. Expecting 5..1000."
            return 400, _error("InvalidParameterValue", message)
        pattern = _creation_date(form)
        if pattern is None:
            page, count = catalogue.page(start, size), min(size, catalogue.images - start)
        else:
            page, count = catalogue.filtered_page(pattern, start, size)
        regions = self.server.regions
        if regions:
            region = _signed_region(self.headers.get("Authorization", ""))
            if region not in regions:
                return 401, _error("OptInRequired", f"{region} is not served here")
            # Region-tagged ids: one bytes.replace per page (~1 ms for 2 MB).
            tagged = b"<imageId>ami-00a1%x" % regions.index(region)
            if self.server.accounts:  # and account-tagged: each account's images its own
                account = _signed_account(self.headers.get("Authorization", ""))
                index = 0 if account == ACCOUNT else int(account) - 200000000000
                tagged = b"<imageId>ami-%02x%x1b" % (index, regions.index(region))
            page = page.replace(b"<imageId>ami-00a1b", tagged)
        pause = self.server.delay + self.server.per_image * count
        if not token:  # a listing's (or a partition's) first page
            pause += self.server.first_page
        if pause:
            time.sleep(pause)
        self.server.pages_served += 1
        return 200, page


def _creation_date(form: dict[str, list[str]]) -> str | None:
    """The creation-date filter's (first) value, or None when the call has none."""
    for key, values in form.items():
        if key.startswith("Filter.") and key.endswith(".Name") and values == ["creation-date"]:
            value = form.get(key[: -len("Name")] + "Value.1")
            return value[0] if value else ""
    return None


def _signed_region(authorization: str) -> str:
    """The region of a SigV4 ``Credential=AKID/date/REGION/service/aws4_request``."""
    _, _, credential = authorization.partition("Credential=")
    parts = credential.split("/")
    return parts[2] if len(parts) > 2 else ""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    catalogue: Catalogue
    delay: float = 0.0
    per_image: float = 0.0
    #: added to a listing's first page (a call without NextToken)
    first_page: float = 0.0
    regions: tuple[str, ...] = ()
    pages_served: int = 0
    #: the organization's size (0: no organization; see the module's docstring)
    accounts: int = 0
    #: answer this share of DescribeImages calls RequestLimitExceeded (0..1), spread evenly
    throttle: float = 0.0
    calls: int = 0
    throttles: int = 0
    lock: threading.Lock

    def throttled(self) -> bool:
        """Whether this call is one of the throttled share (every 1/throttle-th call)."""
        with self.lock:
            self.calls += 1
            due = int(self.calls * self.throttle) > int((self.calls - 1) * self.throttle)
            self.throttles += due
            return due


class CannedEc2:
    """The server, startable in-process (a daemon thread) or as ``python -m`` (see main)."""

    def __init__(
        self,
        images: int = 100_000,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        delay_ms: float = 0.0,
        per_image_ms: float = 0.0,
        first_page_ms: float = 0.0,
        seed: int = 6,
        regions: tuple[str, ...] = (),
        throttle: float = 0.0,
        accounts: int = 0,
    ) -> None:
        if accounts and not regions:
            raise ValueError("accounts need regions (ids are tagged with both)")
        if len(regions) > 15:
            raise ValueError("at most 15 regions (ids are tagged with one hex digit)")
        self.catalogue = Catalogue(images, seed=seed)
        self._server = _Server((host, port), _Handler)
        self._server.catalogue = self.catalogue
        self._server.delay = delay_ms / 1000
        self._server.per_image = per_image_ms / 1000
        self._server.first_page = first_page_ms / 1000
        self._server.regions = tuple(regions)
        self._server.throttle = throttle
        self._server.accounts = accounts
        self._server.lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def pages_served(self) -> int:
        return self._server.pages_served

    def start(self) -> CannedEc2:
        self._thread = threading.Thread(  # stop() waits for a poll: 50 ms, not 500
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> CannedEc2:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.canned_ec2", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--images", type=int, default=100_000, help="catalogue size per region")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="latency added per page")
    parser.add_argument(
        "--per-image-ms", type=float, default=0.0, help="latency added per image in a page"
    )
    parser.add_argument(
        "--throttle",
        type=float,
        default=0.0,
        help="share of DescribeImages calls answered RequestLimitExceeded (0..1, e.g. 0.1)",
    )
    parser.add_argument(
        "--first-page-ms",
        type=float,
        default=0.0,
        help="latency added to a listing's first page (a call without NextToken)",
    )
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--accounts",
        type=int,
        default=0,
        help="serve an organization of N accounts (needs --regions)",
    )
    parser.add_argument(
        "--regions",
        default="",
        help="comma-separated regions to serve, each the same catalogue with region-tagged "
        "ids (others answer OptInRequired); default: any region, identical ids",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    server = CannedEc2(
        args.images,
        port=args.port,
        host=args.host,
        delay_ms=args.delay_ms,
        per_image_ms=args.per_image_ms,
        first_page_ms=args.first_page_ms,
        seed=args.seed,
        regions=tuple(r for r in args.regions.split(",") if r),
        throttle=args.throttle,
        accounts=args.accounts,
    )
    print(server.url, flush=True)
    print(
        f"{args.images:,} images, "
        f"{server.catalogue.bytes / 1e6:.0f} MB rendered in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
