"""A DescribeImages response body straight into Image rows, or a refusal.

botocore parses every answer generically: it walks the service model for each element
and builds a dict per image with every field (block device mappings, product codes,
metadata...), then ``Image.from_api`` reads a few of them. At 100,000 images that costs
more than everything else a listing does. This module reads the same bytes with the
same XML parser (expat through ElementTree, in C), looks only at what an ``Image`` row
holds, and builds the rows directly.

It never guesses. ``parse_page`` raises ``Unrecognised`` for anything it was not written
for: a root that is not ``DescribeImagesResponse``, an element that botocore's model does
not name at the levels read here (the response, an image, a block device mapping, its
``ebs``, a tag), a repeated element, a list member that is not ``<item>``, an integer
that does not parse, malformed XML. The caller (``describe_images_hook``) then lets
botocore parse that page as usual. Structures an ``Image`` row does not use (product
codes, state reason, watermarks...) are skipped unread, as any member botocore's model
names may be.

The rows equal ``Image.from_api`` of botocore's parse, field for field: the tests in
tests/unit/test_describe_images_xml.py prove it on every member of the model's Image
shape, generated documents, unicode and markup.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from sys import intern
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from amitui.aws.images import Image

#: The response's root element, as EC2 names it.
ROOT = "DescribeImagesResponse"
#: How much of a body the parser reads at a time (characters: ~17 images of ~1.9 kB)
CHUNK = 32 * 1024


class Unrecognised(ValueError):
    """The body holds something this parser was not written for: let botocore parse it."""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The element names botocore's model gives each level this parser reads (without
    namespace): anything else there is unrecognised."""

    response: frozenset[str]
    image: frozenset[str]
    mapping: frozenset[str]
    ebs: frozenset[str]
    tag: frozenset[str]

    @classmethod
    def of(cls, output_shape: Any) -> Vocabulary:
        """From botocore's DescribeImages output shape (``operation_model.output_shape``)."""
        images = output_shape.members["Images"]
        image = images.member
        mappings = image.members["BlockDeviceMappings"]
        mapping = mappings.member
        tag = image.members["Tags"].member
        return cls(
            response=frozenset({*_names(output_shape), "requestId"}),
            image=frozenset(_names(image)),
            mapping=frozenset(_names(mapping)),
            ebs=frozenset(_names(mapping.members["Ebs"])),
            tag=frozenset(_names(tag)),
        )


def _names(shape: Any) -> Iterable[str]:
    """The element name of each member, as botocore's XML parsers look it up."""
    for name, member in shape.members.items():
        yield member.serialization.get("name") or name


@dataclass(frozen=True, slots=True)
class Page:
    """One parsed page: its rows, and the response's other two fields."""

    images: list[Image]
    request_id: str | None
    next_token: str | None


class _Tags:
    """Namespaced element names for one document (``{ns}name``), and the vocabulary's
    sets in the same form."""

    def __init__(self, ns: str, vocabulary: Vocabulary) -> None:
        self.ns = ns

        def known(names: frozenset[str]) -> frozenset[str]:
            return frozenset(ns + n for n in names)

        self.response = known(vocabulary.response)
        self.image = known(vocabulary.image)
        self.mapping = known(vocabulary.mapping)
        self.ebs = known(vocabulary.ebs)
        self.tag = known(vocabulary.tag)


def parse_page(body: bytes, region: str, vocabulary: Vocabulary) -> Page:
    """The rows of one DescribeImages answer (raises ``Unrecognised``, see the module).

    The body is read ``CHUNK`` characters at a time, and after each piece the images it
    completed are made rows and dropped from the tree, so the tree never holds more than
    a piece's images. Whole, a page's tree is ~180 memory blocks an image (elements, their
    text and tails; 180,000 for a page of 1000 of the benchmarks' images, twice that for
    images with ten tags), where its rows are ~8 an image. Each tree set a new peak of
    the app's live memory, which Python's allocator keeps mapped after it is freed
    (benchmarks/soak.py). The parser reports only where elements start (half the events of
    start and end), and what follows imagesSet's start is passed over in C: a page parses
    in 0.86-0.89x the time the whole tree took (1000 images, medians of 25 pairs)."""
    try:
        # As botocore reads it: expat, told UTF-8 whatever the document declares (fed
        # text, expat is told UTF-8)
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unrecognised(f"not well-formed XML ({exc.reason})") from None
    parser: XMLPullParser[Element] = XMLPullParser(events=("start",))
    reader = _PageReader(vocabulary, region)
    try:
        for start in range(0, len(text), CHUNK):
            parser.feed(text[start : start + CHUNK])
            reader.take(parser.read_events(), complete=False)
        parser.close()
        reader.take(parser.read_events(), complete=True)
    except ParseError as exc:
        raise Unrecognised(f"not well-formed XML ({exc})") from None
    return reader.page()


class _PageReader:
    """Reads a page a piece at a time, from the parser's start events: the root and the
    response's imagesSet as they start, then after each piece the images of imagesSet
    that are complete (all but the last one started, until the body has been read), each
    dropped from the tree once it is a row. The rest once the page is read."""

    def __init__(self, vocabulary: Vocabulary, region: str) -> None:
        self._vocabulary = vocabulary
        self._region = region
        self._root: Element | None = None
        self._images_set: Element | None = None
        self._names: _Tags | None = None
        self._read: Callable[[Element, str], Image] | None = None
        self._images: list[Image] = []

    def take(self, started: Iterator[Any], complete: bool) -> None:
        """The elements started in the last piece (``started``: start events, each
        ``("start", element)``); ``complete``: the body has been read to its end."""
        if self._images_set is None:
            for _, element in started:
                if self._root is None:
                    self._began(element)
                elif self._is_images_set(element):
                    self._images_set = element
                    break
        deque(started, maxlen=0)  # the rest: elements inside (an image's, or what follows)
        if self._images_set is not None:
            self._read_images(self._images_set, complete)

    def _began(self, root: Element) -> None:
        tag = root.tag
        ns = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
        if tag != ns + ROOT:
            raise Unrecognised(f"the root element is {_local(tag)}, not {ROOT}")
        self._root, self._names = root, _Tags(ns, self._vocabulary)
        self._read = _image_reader(self._names)

    def _is_images_set(self, element: Element) -> bool:
        """The response's imagesSet (one of the root's children, not an image's)."""
        assert self._root is not None and self._names is not None
        if element.tag != self._names.ns + "imagesSet":
            return False
        return any(child is element for child in self._root)

    def _read_images(self, images_set: Element, complete: bool) -> None:
        """Rows of the complete images of imagesSet (all but the last started, unless the
        body has been read), each dropped from the tree."""
        assert self._names is not None and self._read is not None
        done = len(images_set) if complete else len(images_set) - 1
        if done <= 0:
            return
        elements = images_set[:done]
        del images_set[:done]
        read, region = self._read, self._region
        for element in _items(elements, self._names.ns + "item", "imagesSet"):
            self._images.append(read(element, region))

    def page(self) -> Page:
        assert self._root is not None and self._names is not None
        ns = self._names.ns
        top = _children(self._root, self._names.response, "the response")
        return Page(
            self._images, _text(top.get(ns + "requestId")), _text(top.get(ns + "nextToken"))
        )


def _children(element: Element, known: frozenset[str], where: str) -> dict[str, Element]:
    """An element's children by name; each at most once and each named by the model."""
    found = {child.tag: child for child in element}
    if len(found) != len(element):
        raise Unrecognised(f"a repeated element in {where}")
    if not found.keys() <= known:
        unknown = ", ".join(sorted(_local(t) for t in found.keys() - known))
        raise Unrecognised(f"unknown element(s) in {where}: {unknown}")
    return found


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: Element | None) -> str | None:
    """What botocore makes of a string element: None when absent, "" when empty."""
    if element is None:
        return None
    return element.text or ""


def _int(element: Element | None) -> int | None:
    if element is None:
        return None
    try:
        return int(element.text or "")
    except ValueError:
        raise Unrecognised(f"<{_local(element.tag)}> is not an integer") from None


#: Stands in for an absent element: its text is None, like an empty one's.
_ABSENT = Element("absent")


def _image_reader(names: _Tags) -> Callable[[Element, str], Image]:
    """Reads one ``<item>`` of imagesSet as ``Image.from_api`` builds it from botocore's
    dict. A closure over the document's element names: this runs once per image."""
    ns = names.ns
    image_tags, mapping_tags, ebs_tags, tag_tags = names.image, names.mapping, names.ebs, names.tag
    item = ns + "item"
    (
        image_id, name, state, architecture, platform_details, platform, root_device_type,
        root_device_name, creation_date, owner_id, owner_alias, is_public, deprecation_time,
        description, virtualization_type, image_type, last_launched, protection,
        source_image_id, source_region, allowed, block_device_mapping, tag_set,
        device_name, ebs_tag, encrypted_tag, volume_size, snapshot_id, key_tag, value_tag,
    ) = (ns + n for n in (
        "imageId", "name", "imageState", "architecture", "platformDetails", "platform",
        "rootDeviceType", "rootDeviceName", "creationDate", "imageOwnerId", "imageOwnerAlias",
        "isPublic", "deprecationTime", "description", "virtualizationType", "imageType",
        "lastLaunchedTime", "deregistrationProtection", "sourceImageId", "sourceImageRegion",
        "imageAllowed", "blockDeviceMapping", "tagSet",
        "deviceName", "ebs", "encrypted", "volumeSize", "snapshotId", "key", "value",
    ))  # fmt: skip

    def read(element: Element, region: str) -> Image:
        fields = _children(element, image_tags, "an image")
        get = fields.get
        root_name = _text(get(root_device_name))
        root_size: int | None = None
        snapshots: tuple[str, ...] = ()
        encrypted = False
        size = 0
        mappings = get(block_device_mapping)
        if mappings is not None:
            found = []
            for mapping in _items(mappings, item, "blockDeviceMapping"):
                bdm = _children(mapping, mapping_tags, "a block device mapping")
                ebs_element = bdm.get(ebs_tag)
                if ebs_element is None:
                    continue
                ebs = _children(ebs_element, ebs_tags, "ebs")
                if not ebs:  # botocore: {} (falsy), skipped by from_api
                    continue
                encrypted = encrypted or ebs.get(encrypted_tag, _ABSENT).text == "true"
                volume = _int(ebs.get(volume_size))
                size += volume or 0
                snapshot = ebs.get(snapshot_id, _ABSENT).text
                if snapshot:
                    found.append(snapshot)
                if _text(bdm.get(device_name)) == root_name or (
                    root_size is None and root_name is None
                ):
                    root_size = volume
            snapshots = tuple(found)
        tags: tuple[tuple[str, str], ...] = ()
        tag_elements = get(tag_set)
        if tag_elements is not None:
            pairs = []
            for tag in _items(tag_elements, item, "tagSet"):
                pair = _children(tag, tag_tags, "a tag")
                key = pair.get(key_tag, _ABSENT).text or ""
                pairs.append((intern(key), pair.get(value_tag, _ABSENT).text or ""))
            tags = tuple(pairs)
        is_allowed = get(allowed)
        return Image(
            image_id=get(image_id, _ABSENT).text or "",
            region=region,
            name=get(name, _ABSENT).text or "",
            state=intern(get(state, _ABSENT).text or ""),
            architecture=intern(get(architecture, _ABSENT).text or ""),
            platform=intern(
                get(platform_details, _ABSENT).text or get(platform, _ABSENT).text or ""
            ),
            root_device_type=intern(get(root_device_type, _ABSENT).text or ""),
            root_size_gib=root_size,
            creation_date=get(creation_date, _ABSENT).text or "",
            owner_id=intern(get(owner_id, _ABSENT).text or ""),
            owner_alias=intern(get(owner_alias, _ABSENT).text or ""),
            public=get(is_public, _ABSENT).text == "true",
            deprecation_time=get(deprecation_time, _ABSENT).text or "",
            description=get(description, _ABSENT).text or "",
            virtualization_type=intern(get(virtualization_type, _ABSENT).text or ""),
            image_type=intern(get(image_type, _ABSENT).text or ""),
            tags=tags,
            snapshot_ids=snapshots,
            last_launched=get(last_launched, _ABSENT).text or "",
            protection=intern(get(protection, _ABSENT).text or ""),
            source_image_id=get(source_image_id, _ABSENT).text or "",
            source_region=intern(get(source_region, _ABSENT).text or ""),
            allowed=None if is_allowed is None else is_allowed.text == "true",
            encrypted=encrypted,
            size_gib=size,
        )

    return read


def _items(children: Iterable[Element], item: str, where: str) -> Iterable[Element]:
    """A list element (or some of its children), whose every child must be an ``<item>``."""
    for child in children:
        if child.tag != item:
            raise Unrecognised(f"<{_local(child.tag)}> in {where}")
    return children
