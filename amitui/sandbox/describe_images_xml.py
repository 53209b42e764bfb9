"""DescribeImages' XML, image by image: moto's own, kept while an image reads the same.

moto's serializer costs about half a millisecond of CPU per image (its value picker tries
several names for every member of botocore's Image shape, then xmltodict writes the
result), and every listing of the sandbox paid it for every image (issue 12). The answer
is now put together from pieces, each of them written by moto's serializer:

* An image's *reading* is what moto's serializer reads from it: for each member of the
  Image shape, the value moto's picker finds, trying the same names in the same order
  (``ListWriter.keys``), copied into an immutable form (``freeze``). Nothing here lists an
  image's attributes: a property that changes with time (``state``: pending, then
  available; ``deregistration_protection`` during a cooldown), the tags (``get_tags``, kept
  in the backend), the block device mappings (a property) and a plain view (usage_api
  off) are all read as moto reads them, at every answer.
* An image's XML is what moto's serializer writes for its reading (a dict of the reading,
  in which the picker finds each member under its own name), so it is a function of the
  reading alone: a change made while the XML is written cannot hide under an older reading.
* The cache keeps, per image object (and per view of it), its last reading and XML; the
  next answer reads the image again and reuses the XML only if the reading is equal. An
  entry dies with its image (a weak reference), a reset clears them all, and a change of
  moto's response transformers (what else an item's XML depends on) empties the cache.
* A value outside plain data (str, int, float, bool, None, datetime, and lists, tuples and
  dicts of them, empty sets) leaves that image to moto: its XML is written from the image
  itself, every time.
* The page is moto's answer with its first image only, written by moto from the image
  itself; the XML kept for that image must be found there, once, and is replaced by all
  the images' XML (moto writes a list's items one after another, nothing between them).
  Each answer so also checks one kept XML against moto's.

Anything unexpected on this way (an error, the first image's XML not found once) answers
through moto's serializer, whole: slower, never different.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .moto_compat import MISSING, ListWriter, get_value

log = logging.getLogger(__name__)

Plan = tuple[tuple[str, tuple[str, ...]], ...]


class _Kind:
    """The kind of a frozen value (a container, a float, a datetime); equal only to itself."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


LIST, TUPLE, DICT, EMPTY_SET, FLOAT, DATETIME, TRUE, FALSE = (
    _Kind(name) for name in ("list", "tuple", "dict", "set", "float", "datetime", "T", "F")
)


class Unreadable(Exception):
    """A value ``freeze`` cannot copy exactly (its image is left to moto)."""


def freeze(value: Any) -> Any:
    """An immutable copy of plain data, equal to another only if moto would write both the
    same way: kinds are kept apart (``True`` is not ``1``, ``1.0`` is not ``1``, a list is
    not a tuple), and so is the order of lists and dicts."""
    kind = type(value)
    if kind is str or kind is int or value is None:
        return value
    if kind is bool:
        return TRUE if value else FALSE
    if kind is list:
        return (LIST, *[freeze(item) for item in value])
    if kind is dict:
        return (DICT, *[freeze(part) for pair in value.items() for part in pair])
    if kind is tuple:
        return (TUPLE, *[freeze(item) for item in value])
    if kind is float:
        return (FLOAT, value)
    if kind is datetime:
        return (DATETIME, repr(value), value)
    if (kind is set or kind is frozenset) and not value:
        return (EMPTY_SET, kind)
    raise Unreadable(kind.__name__)


def thaw(frozen: Any) -> Any:
    """Plain data again, as ``freeze`` found it."""
    if type(frozen) is not tuple:
        return True if frozen is TRUE else False if frozen is FALSE else frozen
    kind, rest = frozen[0], frozen[1:]
    if kind is LIST:
        return [thaw(item) for item in rest]
    if kind is DICT:
        parts = iter(rest)
        return {thaw(key): thaw(value) for key, value in zip(parts, parts, strict=True)}
    if kind is TUPLE:
        return tuple(thaw(item) for item in rest)
    if kind is DATETIME:
        return rest[1]
    if kind is EMPTY_SET:
        return rest[0]()
    return rest[0]  # FLOAT


def pick(image: Any, names: tuple[str, ...]) -> Any:
    """What moto's value picker reads (before its transformers): the first name found."""
    for name in names:
        value = get_value(image, name, MISSING)
        if value is not MISSING:
            return value
    return None


class _Ref(weakref.ref):  # type: ignore[type-arg]
    __slots__ = ("key",)
    key: tuple[int, bool]


@dataclass
class XmlCounts:
    """What the cache did: images answered from it, written into it, left to moto; and
    answers written whole by moto's serializer because this way failed."""

    reused: int = 0
    written: int = 0
    moto_images: int = 0
    moto_answers: int = 0


class ImageXmlCache:
    """One sandbox's images' last readings and XML (see the module's docstring)."""

    def __init__(self) -> None:
        self.enabled = True  # False: every answer is moto's serializer's, whole
        self.counts = XmlCounts()
        self._entries: dict[tuple[int, bool], tuple[_Ref, tuple[Any, ...], str]] = {}
        self._plans: dict[type, Plan] = {}
        self._generation: Any = None

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._plans.clear()

    def answer(
        self, writer: ListWriter, result: dict[str, Any], shown: list[tuple[Any, Any]]
    ) -> tuple[int, dict[str, str], str] | None:
        """moto's answer to ``result``, whose Images are ``shown`` ((the image, what is
        shown of it) each), written with the cached XML; None: let moto write it all."""
        if not self.enabled:
            return None
        try:
            if writer.generation != self._generation:
                self.clear()
                self._generation = writer.generation
            items = [self._xml(writer, source, image) for source, image in shown]
            # moto writes the page around its first image, from the image itself: the XML
            # kept for it must be there, once, to be replaced by all the images' XML
            status, headers, body = writer.serialize({**result, "Images": [shown[0][1]]})
            if all(items) and body.count(items[0]) == 1:
                return status, headers, body.replace(items[0], "".join(items))
            log.warning("amitui sandbox: DescribeImages' kept XML differs from moto's")
        except Exception:
            log.exception("amitui sandbox: DescribeImages' cached XML failed; moto writes it")
        self.counts.moto_answers += 1
        return None

    def _xml(self, writer: ListWriter, source: Any, image: Any) -> str:
        if hasattr(image, "Meta"):  # moto's picker reads its aliases there: not per class
            return self._moto(writer, image)
        plan = self._plans.get(type(image))
        if plan is None:
            plan = self._plans[type(image)] = writer.keys(image)
        try:
            reading = tuple(freeze(pick(image, names)) for _, names in plan)
        except Unreadable:
            return self._moto(writer, image)
        key = (id(source), image is not source)
        entry = self._entries.get(key)
        if entry is not None and entry[0]() is source and entry[1] == reading:
            self.counts.reused += 1
            return entry[2]
        members = (member for member, _ in plan)
        xml = writer.item_xml(dict(zip(members, map(thaw, reading), strict=True)))
        ref = _Ref(source, self._forget)
        ref.key = key
        self._entries[key] = (ref, reading, xml)
        self.counts.written += 1
        return xml

    def _moto(self, writer: ListWriter, image: Any) -> str:
        self.counts.moto_images += 1
        return writer.item_xml(image)

    def _forget(self, ref: _Ref) -> None:
        """An image died: its entry goes (unless a newer one took its key)."""
        entry = self._entries.get(ref.key)
        if entry is not None and entry[0] is ref:
            self._entries.pop(ref.key, None)
