"""The images the user marked for a bulk action: plain Python, keyed by (place, image id)
(a place: the region, or ``account/region`` with --accounts: an image listed in two
accounts is two marks, each sent in its own account).

Marks are not rows: they survive filtering, sorting and a new listing of the same images.
A marked image that a listing no longer returns (deregistered elsewhere) is dropped by
:meth:`Marks.keep_only`; one the app removed itself is dropped by :meth:`Marks.discard`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from amitui.aws.images import Image

Key = tuple[str, str]


def key_of(image: Image) -> Key:
    return (image.place, image.image_id)


class Marks:
    def __init__(self) -> None:
        self._images: dict[Key, Image] = {}
        #: bumped on every change, so a view repaints only when the marks changed
        self.version = 0

    def __len__(self) -> int:
        return len(self._images)

    def __bool__(self) -> bool:
        return bool(self._images)

    def __contains__(self, image: object) -> bool:
        return isinstance(image, Image) and key_of(image) in self._images

    def __iter__(self) -> Iterator[Image]:
        return iter(self._images.values())

    def images(self) -> list[Image]:
        """The marked images, oldest mark first."""
        return list(self._images.values())

    def _changed(self) -> None:
        self.version += 1

    def toggle(self, image: Image) -> bool:
        """Mark ``image`` if it was not marked, else unmark it; True when it is marked now."""
        key = key_of(image)
        if self._images.pop(key, None) is None:
            self._images[key] = image
            marked = True
        else:
            marked = False
        self._changed()
        return marked

    def add(self, images: Iterable[Image]) -> int:
        """Mark these (already marked ones stay); how many were newly marked."""
        before = len(self._images)
        for image in images:
            self._images.setdefault(key_of(image), image)
        added = len(self._images) - before
        if added:
            self._changed()
        return added

    def discard(self, keys: Iterable[Key]) -> None:
        removed = [k for k in keys if self._images.pop(k, None) is not None]
        if removed:
            self._changed()

    def clear(self) -> int:
        count = len(self._images)
        self._images.clear()
        if count:
            self._changed()
        return count

    def keep_only(self, present: Iterable[Image]) -> int:
        """After a full listing: drop marks of images it did not return, and hold the
        fresh records of the others (their state and size as listed now). How many were
        dropped."""
        fresh = {key_of(i): i for i in present if key_of(i) in self._images}
        dropped = len(self._images) - len(fresh)
        if dropped or fresh:
            self._images = {k: fresh[k] for k in self._images if k in fresh}
            self._changed()
        return dropped

    def size_gib(self) -> int:
        """What the marked images' EBS volumes hold at most (GiB)."""
        return sum(i.size_gib for i in self._images.values())

    def regions(self) -> list[str]:
        return sorted({i.region for i in self._images.values()})

    def summary(self) -> str:
        """``"12 marked · 340 GiB"`` (the status line's)."""
        return f"{len(self):,} marked · {self.size_gib():,} GiB"
