"""The storage side of a retention preview: what each family keeps and would free, which
snapshots go with each proposed image, and the total freed.

Sizes come from DescribeSnapshots: VolumeSize (GiB, always given) and
FullSnapshotSizeInBytes (where AWS gives it). Snapshots are incremental, so the full
size of a snapshot's data is an *upper bound* of what deleting it frees; VolumeSize is
the size of the volume it was taken from (what the snapshot is billed against at most).

Each snapshot counts once (two images registered from one snapshot, or listed twice),
attributed to the first image (in the preview's order) that holds it. A snapshot of a
proposed image that an image which stays also uses is not freed: deleting it would fail
while that image exists, and it is counted with what is kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amitui.cleanup.preview import Verdict

#: (VolumeSize GiB, FullSnapshotSizeInBytes or None)
SnapshotSize = tuple[int, int | None]


@dataclass(frozen=True, slots=True)
class SnapshotLine:
    snapshot_id: str
    gib: int | None  # None: its size is not known (not asked yet, or not answered)
    full_bytes: int | None
    #: deleted with the image (DeleteAssociatedSnapshots) and nothing that stays uses it
    freed: bool
    #: why it is not freed, or where it is counted ("also used by ami-1 (kept)")
    note: str = ""


@dataclass(frozen=True, slots=True)
class ImageStorage:
    snapshots: tuple[SnapshotLine, ...]
    #: GiB freed by the snapshots counted with this image
    gib: int = 0
    #: of those, the snapshots whose size is not known
    unknown: int = 0


@dataclass(frozen=True, slots=True)
class FamilyStorage:
    region: str
    family: str
    kept_gib: int
    proposed_gib: int
    kept_images: int
    proposed_images: int


@dataclass(frozen=True, slots=True)
class Storage:
    #: the biggest win first (GiB proposed, then GiB kept, then name)
    families: tuple[FamilyStorage, ...] = ()
    #: per proposed image (region, image id)
    images: Mapping[tuple[str, str], ImageStorage] = field(default_factory=dict)
    freed_snapshots: int = 0
    freed_gib: int = 0
    #: sum of FullSnapshotSizeInBytes over the freed snapshots that have it: an upper bound
    freed_bytes: int = 0
    #: freed snapshots without FullSnapshotSizeInBytes (not in ``freed_bytes``)
    bytes_unknown: int = 0
    #: freed snapshots with no size at all (not in ``freed_gib``)
    sizes_unknown: int = 0


def storage_of(verdicts: Iterable[Verdict], sizes: Mapping[str, SnapshotSize]) -> Storage:
    verdicts = list(verdicts)
    stays: dict[tuple[str, str], str] = {}  # snapshot -> an image that stays and uses it
    for v in verdicts:
        if v.decision != "proposed":
            for snap in v.image.snapshot_ids:
                stays.setdefault((v.image.region, snap), f"{v.image.image_id} ({v.decision})")
    counted: dict[tuple[str, str], str] = {}  # snapshot -> the image it is counted with
    families: dict[tuple[str, str], list[int]] = {}  # -> [kept GiB, proposed GiB, kept, proposed]
    images: dict[tuple[str, str], ImageStorage] = {}
    freed = [0, 0, 0, 0, 0]  # snapshots, GiB, bytes, bytes unknown, sizes unknown
    for v in verdicts:
        region, image_id = v.key
        part = families.setdefault((region, v.family), [0, 0, 0, 0])
        proposed = v.decision == "proposed"
        part[3 if proposed else 2] += 1
        lines = []
        gib = unknown = 0
        for snap in dict.fromkeys(v.image.snapshot_ids):
            key = (region, snap)
            size = sizes.get(snap)
            volume, full = (size[0], size[1]) if size is not None else (None, None)
            if key in counted:
                if proposed:
                    lines.append(
                        SnapshotLine(
                            snap, volume, full, key not in stays, f"counted with {counted[key]}"
                        )
                    )
                continue
            counted[key] = image_id
            if not proposed or key in stays:
                part[0] += volume or 0
                if proposed:
                    lines.append(
                        SnapshotLine(snap, volume, full, False, f"kept: also used by {stays[key]}")
                    )
                continue
            lines.append(SnapshotLine(snap, volume, full, True))
            part[1] += volume or 0
            gib += volume or 0
            unknown += volume is None
            freed[0] += 1
            freed[1] += volume or 0
            freed[2] += full or 0
            freed[3] += full is None
            freed[4] += volume is None
        if proposed:
            images[v.key] = ImageStorage(tuple(lines), gib, unknown)
    rows = [FamilyStorage(region, family, *part) for (region, family), part in families.items()]
    rows.sort(key=lambda f: (-f.proposed_gib, -f.kept_gib, f.family, f.region))
    return Storage(tuple(rows), images, *freed)
