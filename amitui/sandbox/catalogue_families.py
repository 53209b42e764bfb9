"""The kinds of images the seeded catalogue is made of: names, disks, tags.

Each ``Family`` names its images the way its publisher or team does (Amazon
Linux, Ubuntu, Debian, Windows, in-house application images, and a few awkward
names with square brackets and quotes that a UI must not read as markup).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from random import Random

NameFn = Callable[[date, str, Random], str]

UBUNTU_ARCH = {"x86_64": "amd64", "arm64": "arm64"}


@dataclass(frozen=True)
class Family:
    slug: str
    name: NameFn
    description: NameFn
    arches: tuple[str, ...] = ("x86_64", "arm64")
    root_device: str = "/dev/xvda"
    root_sizes: tuple[int, ...] = (8,)
    volume_types: tuple[str, ...] = ("gp3",)
    platform: str | None = None
    teams: tuple[str, ...] = ("platform",)
    application: str | None = None
    data_sizes: tuple[int, ...] = ()  # optional extra EBS volumes (GiB)
    weight: int = 1
    since: date = date(2000, 1, 1)
    until: date = date(2100, 1, 1)


def _al2_name(d: date, arch: str, rng: Random) -> str:
    return f"amzn2-ami-hvm-2.0.{d:%Y%m%d}.{rng.randint(0, 2)}-{arch}-gp2"


def _al2023_minor(d: date) -> int:
    return max(0, (d.year - 2023) * 4 + (d.month - 1) // 3)


def _al2023_name(d: date, arch: str, rng: Random) -> str:
    return f"al2023-ami-2023.{_al2023_minor(d)}.{d:%Y%m%d}.0-kernel-6.1-{arch}"


def _ubuntu(release: str, version: str, store: str) -> tuple[NameFn, NameFn]:
    def name(d: date, arch: str, rng: Random) -> str:
        flavour = f"ubuntu-{release}-{version}-{UBUNTU_ARCH[arch]}-server"
        return f"ubuntu/images/{store}/{flavour}-{d:%Y%m%d}"

    def description(d: date, arch: str, rng: Random) -> str:
        return (
            f"Canonical, Ubuntu, {version} LTS, {UBUNTU_ARCH[arch]} {release} image "
            f"build on {d:%Y-%m-%d}"
        )

    return name, description


def _debian(major: int) -> tuple[NameFn, NameFn]:
    def name(d: date, arch: str, rng: Random) -> str:
        return f"debian-{major}-{UBUNTU_ARCH[arch]}-{d:%Y%m%d}-{rng.randint(1200, 2100)}"

    def description(d: date, arch: str, rng: Random) -> str:
        return f"Debian {major} ({d:%Y%m%d})"

    return name, description


def _windows(year: int) -> tuple[NameFn, NameFn]:
    def name(d: date, arch: str, rng: Random) -> str:
        return f"Windows_Server-{year}-English-Full-Base-{d:%Y.%m.%d}"

    def description(d: date, arch: str, rng: Random) -> str:
        return f"Microsoft Windows Server {year} Full Locale English AMI provided by Amazon"

    return name, description


def _app(app: str, style: str = "calver") -> tuple[NameFn, NameFn]:
    def name(d: date, arch: str, rng: Random) -> str:
        if style == "calver":
            return f"{app}-{d.year}.{d.month:02d}.{rng.randint(0, 9)}"
        if style == "build":
            return f"{app}-{d:%Y%m%d}-{rng.getrandbits(28):07x}"
        return f"{app}-v{d.year - 2020}.{d.month}.{rng.randint(0, 20)}-{arch}"

    def description(d: date, arch: str, rng: Random) -> str:
        return f"{app} built by packer on {d:%Y-%m-%d} ({arch})"

    return name, description


def _fixed(text: str) -> tuple[NameFn, NameFn]:
    def name(d: date, arch: str, rng: Random) -> str:
        return text.format(d=d, n=rng.randint(1, 99))

    def description(d: date, arch: str, rng: Random) -> str:
        return f"Kept for reference; built {d:%Y-%m-%d}"

    return name, description


_ubuntu_jammy = _ubuntu("jammy", "22.04", "hvm-ssd")
_ubuntu_noble = _ubuntu("noble", "24.04", "hvm-ssd-gp3")

FAMILIES: tuple[Family, ...] = (
    Family(
        "amzn2",
        _al2_name,
        lambda d, a, r: f"Amazon Linux 2 AMI 2.0.{d:%Y%m%d} {a} HVM gp2",
        volume_types=("gp2",),
        weight=5,
    ),
    Family(
        "al2023",
        _al2023_name,
        lambda d, a, r: f"Amazon Linux 2023 AMI 2023.{_al2023_minor(d)}.{d:%Y%m%d}.0 {a} HVM",
        weight=6,
        since=date(2023, 3, 15),
    ),
    Family(
        "ubuntu-jammy",
        *_ubuntu_jammy,
        root_device="/dev/sda1",
        volume_types=("gp2", "gp3"),
        weight=5,
    ),
    Family(
        "ubuntu-noble",
        *_ubuntu_noble,
        root_device="/dev/sda1",
        weight=3,
        since=date(2024, 4, 25),
    ),
    Family("debian-11", *_debian(11), until=date(2023, 9, 1), weight=2),
    Family("debian-12", *_debian(12), since=date(2023, 6, 10), weight=3),
    Family(
        "windows-2022",
        *_windows(2022),
        arches=("x86_64",),
        root_device="/dev/sda1",
        root_sizes=(30, 50),
        volume_types=("gp3", "gp2"),
        platform="windows",
        teams=("windows", "desktop"),
        weight=4,
    ),
    Family(
        "windows-2019",
        *_windows(2019),
        arches=("x86_64",),
        root_device="/dev/sda1",
        root_sizes=(30,),
        volume_types=("gp2",),
        platform="windows",
        teams=("windows",),
        weight=2,
    ),
    Family(
        "web-frontend",
        *_app("web-frontend"),
        root_sizes=(16, 20),
        teams=("web",),
        application="web-frontend",
        weight=6,
    ),
    Family(
        "payments-api",
        *_app("payments-api"),
        root_sizes=(20,),
        teams=("payments",),
        application="payments-api",
        data_sizes=(50, 100),
        weight=5,
    ),
    Family(
        "batch-worker",
        *_app("batch-worker", "build"),
        arches=("arm64", "x86_64"),
        root_sizes=(30,),
        teams=("data",),
        application="batch-worker",
        data_sizes=(200, 500),
        weight=4,
    ),
    Family(
        "postgres-16",
        *_app("postgres-16", "semver"),
        root_sizes=(20,),
        volume_types=("gp3", "io1"),
        teams=("data", "platform"),
        application="postgres",
        data_sizes=(100, 250, 1000),
        weight=3,
        since=date(2023, 10, 1),
    ),
    Family(
        "ml-inference-gpu",
        *_app("ml-inference-gpu", "semver"),
        arches=("x86_64",),
        root_device="/dev/sda1",
        root_sizes=(100, 150),
        teams=("ml",),
        application="ml-inference",
        data_sizes=(500,),
        weight=2,
    ),
    Family(
        "bastion",
        *_app("bastion-host"),
        root_sizes=(8,),
        volume_types=("gp2",),
        teams=("security",),
        application="bastion",
        weight=2,
    ),
    Family(
        "legacy",
        *_fixed("[x] legacy build {d:%Y-%m}"),
        arches=("x86_64",),
        root_device="/dev/sda1",
        root_sizes=(40,),
        volume_types=("standard", "gp2"),
        teams=("platform",),
        weight=1,
        until=date(2024, 1, 1),
    ),
    Family(
        "markup",
        *_fixed("[bold]release[/bold] candidate {n} ({d:%Y%m%d})"),
        teams=("web",),
        weight=1,
    ),
    Family(
        "odd-names",
        *_fixed("ops's nightly @ {d:%Y%m%d} (do not use)"),
        teams=("platform",),
        weight=1,
    ),
)

TEAMS_ENVS = ("prod", "prod", "staging", "dev", "test")
COST_CENTERS = ("cc-1001", "cc-1002", "cc-2040", "cc-3100")
