"""What the cleanup screen asks AWS, from its thread workers: what uses the proposed
images, and how big their snapshots are. Plain functions: the screen posts the answers,
as the messages below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from textual.message import Message

from amitui.aws.errors import describe_error
from amitui.aws.images import Image, place_of
from amitui.aws.usage import Check, Usage
from amitui.aws.usage_batch import check_usage_many
from amitui.cleanup import SnapshotSize

SizeLookup = Callable[[Any, list[str]], Mapping[str, SnapshotSize]]
#: Images asked per message: answers show as they come, not all at the end.
USAGE_BATCH = 40


def usage_batches(
    clients: Any,
    region: str,
    image_ids: list[str],
    *,
    version_depth: int,
    cancelled: Callable[[], bool],
) -> Iterator[tuple[list[str], list[Usage]]]:
    """(the ids asked, their answers), USAGE_BATCH images at a time, asked with the
    account's own ``clients`` (an image is used by the instances, templates... of the
    account that lists it). A check that failed says so in its answer, never "not used"."""
    for start in range(0, len(image_ids), USAGE_BATCH):
        ids = image_ids[start : start + USAGE_BATCH]
        try:
            found = check_usage_many(
                clients, region, ids, version_depth=version_depth, cancelled=cancelled
            )
        except Exception as exc:  # check_usage_many answers per check; a bug net
            failed = (Check("Usage", error=describe_error(exc)),)
            found = {i: Usage(i, region, failed) for i in ids}
        yield ids, list(found.values())


def read_snapshot_sizes(
    lookup: SizeLookup,
    images: Iterable[Image],
    ec2: Callable[[str, str], Any],
) -> tuple[dict[str, SnapshotSize], str | None]:
    """The sizes of the images' snapshots, asked per account and region with that
    account's client (``ec2(account, region)``: a snapshot is seen by the account that owns
    it), and what could not be read ("place: reason" when there are several places)."""
    by_place: dict[tuple[str, str], list[str]] = {}
    for image in images:
        by_place.setdefault((image.account, image.region), []).extend(image.snapshot_ids)
    sizes: dict[str, SnapshotSize] = {}
    errors = []
    for (account, region), ids in by_place.items():
        try:
            sizes.update(lookup(ec2(account, region), list(dict.fromkeys(ids))))
        except Exception as exc:
            text = describe_error(exc)
            errors.append(f"{place_of(account, region)}: {text}" if len(by_place) > 1 else text)
    return sizes, "; ".join(errors) or None


class UsageAnswered(Message):
    """Usage answers for images of one place (``account/region``, or the region)."""

    def __init__(self, place: str, answers: list[Usage], asked: list[tuple[str, str]]) -> None:
        super().__init__()
        self.place = place
        self.answers = answers
        self.asked = asked


class SizesAnswered(Message):
    def __init__(self, sizes: Mapping[str, SnapshotSize], error: str | None) -> None:
        super().__init__()
        self.sizes = sizes
        self.error = error
