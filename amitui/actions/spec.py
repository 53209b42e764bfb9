"""The declarative action model: ``Field`` and ``ActionSpec``.

One ``ActionSpec`` per image action (one module each in :mod:`amitui.actions`) says
everything about the action that is not layout: its fields, their rules, how to build
the call, whether it needs a selected image, and the task it starts, if any. It drives
the generic form, the validation and the request dict. Pure logic: no boto3 call, no
Textual, no keys (the UI binds keys: :mod:`amitui.ui.action_keys`).

Values
    A form's values are a ``dict[str, object]`` keyed by ``Field.api_name``. A key
    that is absent takes the field's ``default``; ``""``/``None`` means empty.
    Per kind, the raw value may be:

    ``text``/``choice``  ``str`` (stripped before checking; empty = not set)
    ``bool``             ``bool`` (``"true"``/``"false"`` are accepted too)
    ``int``              ``int`` or ``str`` of ASCII digits
    ``list``             ``str`` (items split on commas/newlines) or a list of ``str``
    ``regions``          ``str`` (split on commas/whitespace) or a list of ``str``
    ``tags``             ``str`` ``"k=v, k2=v2"`` (see :mod:`amitui.aws.tag_text`),
                         a ``dict`` or a list of ``(key, value)`` pairs

Requests
    ``build_request`` puts each non-empty API field at its dotted path
    (``"S3ExportLocation.S3Bucket"``, ``"DiskContainers.0.Format"``: a numeric
    segment is a list index), omits empty optionals, sends booleans only when
    true (every boolean here defaults to false at the API), turns ``tags`` fields
    into ``TagSpecifications`` (one entry per resource type), and adds a fresh
    ``ClientToken`` for operations that take one. ``dry_run=True`` adds
    ``DryRun=True``: the answer is ``DryRunOperation`` (allowed) or
    ``UnauthorizedOperation`` (denied).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from amitui.actions.request_parts import compact, idempotency_token, set_path, tag_specifications
from amitui.aws import validators as v
from amitui.aws.tag_text import format_tags, parse_tags
from amitui.aws.usage import Usage
from amitui.tasks.kinds import TaskKind

FieldKind = Literal["text", "choice", "bool", "int", "list", "tags", "regions"]
FIELD_KINDS: tuple[str, ...] = ("text", "choice", "bool", "int", "list", "tags", "regions")

FORM_ERROR = "__form__"
"""The ``validate`` key for messages about the form as a whole."""

CrossValidator = Callable[[Mapping[str, object]], Mapping[str, str]]
"""A rule between fields: cleaned values in, ``{api_name or FORM_ERROR: message}`` out."""

RequestHook = Callable[[dict, Mapping[str, object]], None]
"""Action-specific request shaping: ``(request, cleaned values)``, edits request in place."""

Confirmer = Callable[[Mapping[str, object]], str | None]
"""What a send will do that deserves one more "yes" (create: the instance reboots), from
cleaned values; None when nothing does."""

Warner = Callable[[Mapping[str, object], Mapping[str, object]], str | None]
"""What the values will do that the form spells out as they are chosen, from cleaned
values and the selected image's context (``image_context``: deregister lists the
snapshots that go too); None when there is nothing to say."""

ImageRowEffect = Literal["adds", "removes", "refreshes"]
"""What a successful call does to the inventory's rows: ``"adds"`` (the answer's new id
is an image to show), ``"removes"`` (the request's ``ImageId`` is gone), ``"refreshes"``
(the request's ``ImageId`` changed: its row is read again and replaced in place)."""

Planner = Callable[[dict, Mapping[str, object], Mapping[str, object]], list[tuple[str, dict]]]
"""The calls an action makes when it is more than its one ``operation`` (tags: CreateTags
for what is new or changed, DeleteTags for what was removed): ``(built request, cleaned
values, image context)`` -> ``[(operation, request), ...]`` in order; an empty list means
there is nothing to send (the form says so). The form previews them (see ``warn``)."""

Suggester = Callable[[Mapping[str, object]], Mapping[str, object]]
"""Values a form may fill in for fields the user has not touched, from cleaned values
(import: the disk format read from the file's extension). The form shows them before
anything is sent, so what is sent is still what is shown."""

UsageGuard = Callable[[Mapping[str, object], Usage | None], Mapping[str, str]]
"""A destructive action's refusal from what still uses the image: cleaned values and the
usage answer (None while it is being asked) in, ``{api_name or FORM_ERROR: message}`` out
(deregister: in use, protected, shared or not verified needs its explicit override). A
spec with one makes the form ask AWS what uses the image and show it before sending."""

Reuser = Callable[[Any, Mapping[str, object]], str | None]
"""An earlier result to reuse instead of calling: ``(ec2 client of the call's region,
cleaned values)`` -> the id the call would have started (usage report: an unexpired report
on the same image for the same accounts), or None to call. It may call AWS (describe)."""

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0", ""}


class InvalidForm(ValueError):
    """``build_request`` was given values that do not validate."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {m}" for k, m in self.errors.items()))


@dataclass(frozen=True, slots=True)
class Field:
    """One form field.

    ``api_name`` is the request path (dotted for nested members). ``api=False``
    marks a form-only field (copy's destination regions, deregister's typed-back
    id): validated, never sent. ``prefill`` names a key of the context given to
    :meth:`ActionSpec.initial_values` (see ``PREFILL_KEYS``). ``lookup`` names
    the list of existing things the value is one of (the form offers it as a picker):
    ``"instances"`` (DescribeInstances),
    ``"snapshots"`` (DescribeSnapshots, owner self), ``"regions"`` (DescribeRegions)
    or ``"buckets"`` (ListBuckets); see :mod:`amitui.aws.lookups`. For ``tags`` fields,
    ``resource_types`` are the ``TagSpecifications`` ResourceTypes to send.
    """

    api_name: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    default: object = None
    choices: tuple[str, ...] = ()
    validators: tuple[v.Validator, ...] = ()
    help: str = ""
    placeholder: str = ""
    prefill: str | None = None
    api: bool = True
    resource_types: tuple[str, ...] = ()
    lookup: str | None = None

    # -- normalising --------------------------------------------------------

    def clean(self, raw: object) -> object | None:
        """The typed value (str, bool, int, list[str], list[(k, v)]), or None if empty
        or unusable. Never raises; pair with :meth:`check` for the reason."""
        if raw is None:
            return None
        kind = self.kind
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            return True if text in _TRUE else False if text in _FALSE else None
        if kind == "int":
            if isinstance(raw, bool):
                return None
            if isinstance(raw, int):
                return raw
            return v.parse_int(raw) if isinstance(raw, str) else None
        if kind in ("list", "regions"):
            items = _items(raw, whitespace=kind == "regions")
            return items or None
        if kind == "tags":
            tags = _tag_pairs(raw)
            return tags or None
        if not isinstance(raw, str):
            return None
        text = raw.strip()
        return text or None

    def check(self, raw: object) -> str | None:
        """The message for this field's raw value alone, or None when it is fine."""
        if raw is None or (isinstance(raw, str) and not raw.strip()) or raw in ([], (), {}):
            return v.REQUIRED_MESSAGE if self.required and self.kind != "bool" else None
        kind = self.kind
        if kind == "bool":
            return None if self.clean(raw) is not None else "Expected on or off."
        if kind == "int":
            if isinstance(raw, bool) or not isinstance(raw, (int, str)):
                return "Enter a whole number."
            text = str(raw).strip()
            if v.parse_int(text) is None:
                return v.guard(text) or "Enter a whole number."
            return _first(self.validators, text)
        if kind in ("list", "regions"):
            if not isinstance(raw, (str, list, tuple)) or (
                not isinstance(raw, str) and not all(isinstance(i, str) for i in raw)
            ):
                return "Expected a list of text."
            if isinstance(raw, str) and (bad := v.guard(raw.replace("\n", " "))):
                return bad
            items = _items(raw, whitespace=kind == "regions")
            if self.required and not items:
                return v.REQUIRED_MESSAGE
            for item in items:
                if message := _first(self.validators, item):
                    return f"{v.quote_input(item, 24)}: {message}"
            return None
        if kind == "tags":
            if isinstance(raw, str):
                _, errors = parse_tags(raw)
            elif isinstance(raw, (Mapping, list, tuple)):
                errors = _pair_errors(raw)
            else:
                errors = ["Expected key=value pairs."]
            return " ".join(errors) or None
        if not isinstance(raw, str):
            return "Expected text."
        text = raw.strip()
        if kind == "choice" and text not in self.choices:
            return f"Choose one of: {', '.join(self.choices)}."
        return _first(self.validators, text)


def _first(validators: Sequence[v.Validator], text: str) -> str | None:
    if bad := v.guard(text):
        return bad
    for validator in validators:
        if message := validator(text):
            return message
    return None


def _items(raw: object, *, whitespace: bool) -> list[str]:
    if isinstance(raw, str):
        return v.split_list(raw, whitespace=whitespace)
    if isinstance(raw, (list, tuple)):
        items: list[str] = []
        for item in raw:
            text = item.strip() if isinstance(item, str) else ""
            if text and text not in items:
                items.append(text)
        return items
    return []


def _pairs(raw: object) -> list[tuple[object, object]] | None:
    if isinstance(raw, Mapping):
        return list(raw.items())
    if isinstance(raw, (list, tuple)) and all(
        isinstance(p, (list, tuple)) and len(p) == 2 for p in raw
    ):
        return [(p[0], p[1]) for p in raw]
    return None


def _pair_errors(raw: object) -> list[str]:
    pairs = _pairs(raw)
    if pairs is None:
        return ["Expected key=value pairs."]
    text_pairs = [(k, val) for k, val in pairs if isinstance(k, str) and isinstance(val, str)]
    if len(text_pairs) != len(pairs):
        return ["Tag keys and values must be text."]
    return parse_tags(format_tags(text_pairs))[1]


def _tag_pairs(raw: object) -> list[tuple[str, str]]:
    if isinstance(raw, str):
        tags, errors = parse_tags(raw)
        return [] if errors else tags
    if _pair_errors(raw):
        return []
    return [(str(k).strip(), str(val).strip()) for k, val in _pairs(raw) or []]


# -- the spec ----------------------------------------------------------------------

PREFILL_KEYS = (
    "image_id",
    "image_name",
    "image_name_copy",
    "image_description",
    "image_tags",
    "region",
    "instance_id",
    "snapshot_id",
)
"""Context keys ``initial_values`` understands. ``image_name_copy`` is derived from
``image_name`` (``"<name>-copy"``, shortened to fit 128 characters) when absent."""


def copy_name(name: str) -> str:
    suffix = "-copy"
    return name[: 128 - len(suffix)] + suffix


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One image action: its form fields, their rules and how to build the call.

    ``fan_out`` names a form-only ``regions`` field whose items are the regions
    to call in (copy: one CopyImage per destination region). ``label``: the short name
    (key lists, the palette). ``needs_image``: it acts on the selected image.
    ``result_key``: where the answer names what the call started. ``task``: the
    long-running job a successful call starts (see :class:`~amitui.tasks.kinds.TaskKind`).
    ``image_row``: what it does to the image's row. ``shows_image``: its summary
    details the selected image. ``confirm``/``suggest``/``warn``/``usage_guard``: see
    their types.
    """

    name: str
    operation: str
    title: str
    fields: tuple[Field, ...]
    label: str = ""
    summary: str = ""
    needs_image: bool = False
    result_key: str | None = None
    task: TaskKind | None = None
    image_row: ImageRowEffect | None = None
    shows_image: bool = False
    warn: Warner | None = None
    mutating: bool = True
    cross_validators: tuple[CrossValidator, ...] = ()
    client_token: bool = False
    request_hook: RequestHook | None = None
    fan_out: str | None = None
    suggest: Suggester | None = None
    confirm: Confirmer | None = None
    usage_guard: UsageGuard | None = None
    #: the form-only bool field that overrides ``usage_guard`` (shown only when needed)
    usage_override: str | None = None
    reuse: Reuser | None = None
    plan: Planner | None = None

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.name.capitalize())
        if self.usage_override is not None and self.field(self.usage_override).kind != "bool":
            raise ValueError(f"{self.name}: usage_override must name a bool field")
        if self.task is not None and not self.result_key:
            raise ValueError(f"{self.name}: a task needs the result_key naming its id")

    def field(self, api_name: str) -> Field:
        for f in self.fields:
            if f.api_name == api_name:
                return f
        raise KeyError(f"{self.name} has no field {api_name!r}")

    @property
    def api_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.api)

    def initial_values(self, context: Mapping[str, object] | None = None) -> dict[str, object]:
        """Defaults, then prefills from the context (keys: ``PREFILL_KEYS``)."""
        context = dict(context or {})
        if "image_name_copy" not in context and isinstance(context.get("image_name"), str):
            context["image_name_copy"] = copy_name(str(context["image_name"]))
        values: dict[str, object] = {}
        for f in self.fields:
            value = context.get(f.prefill) if f.prefill else None
            values[f.api_name] = f.default if value is None else value
        return values

    def _raw(self, values: Mapping[str, object]) -> dict[str, object]:
        return {f.api_name: values.get(f.api_name, f.default) for f in self.fields}

    def clean(self, values: Mapping[str, object]) -> dict[str, object]:
        """Typed values per field; None where empty or invalid."""
        raw = self._raw(values)
        return {
            f.api_name: None if f.check(raw[f.api_name]) else f.clean(raw[f.api_name])
            for f in self.fields
        }

    def validate(
        self, values: Mapping[str, object], *, regions: Collection[str] | None = None
    ) -> dict[str, str]:
        """``{api_name: message}`` for every invalid field (``FORM_ERROR`` for the
        form as a whole); empty when the form may be submitted. Cheap enough to
        call on every keystroke.

        ``regions``: the regions that exist for the caller (DescribeRegions); a field
        with ``lookup="regions"`` must name only those. Without it, only regions
        botocore's endpoint data lists for EC2 pass (a well-formed ``eu-west-9`` does not)."""
        raw = self._raw(values)
        errors = {f.api_name: message for f in self.fields if (message := f.check(raw[f.api_name]))}
        cleaned = self.clean(values)
        for key, message in self._unknown_regions(cleaned, regions).items():
            errors.setdefault(key, message)
        for rule in self.cross_validators:
            for key, message in rule(cleaned).items():
                errors.setdefault(key, message)
        return errors

    def _unknown_regions(
        self, cleaned: Mapping[str, object], regions: Collection[str] | None
    ) -> dict[str, str]:
        allowed = v.known_regions() if regions is None else regions
        where = "EC2 knows" if regions is None else "this account can use"
        errors = {}
        for f in self.fields:
            value = cleaned.get(f.api_name)
            if f.lookup != "regions" or not value:
                continue
            items = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
            unknown = [item for item in items if item not in allowed]
            if unknown:
                errors[f.api_name] = f"{v.quote_input(unknown[0], 24)} is not a region {where}."
        return errors

    def build_request(
        self,
        values: Mapping[str, object],
        *,
        dry_run: bool = False,
        token_seed: str | None = None,
        region: str | None = None,
        regions: Collection[str] | None = None,
    ) -> dict:
        """The boto3 keyword arguments for ``operation``; raises InvalidForm.
        ``token_seed``: see :func:`idempotency_token`; ``regions``: see :meth:`validate`."""
        if errors := self.validate(values, regions=regions):
            raise InvalidForm(errors)
        cleaned = self.clean(values)
        request: dict = {}
        for f in self.api_fields:
            value = cleaned[f.api_name]
            if value is None or value is False:
                continue
            if f.kind == "tags":
                request.setdefault("TagSpecifications", []).extend(
                    tag_specifications(f.resource_types, value)  # type: ignore[arg-type]
                )
            else:
                set_path(request, f.api_name, value)
        if self.request_hook:
            self.request_hook(request, cleaned)
        request = compact(request)  # type: ignore[assignment]
        if self.client_token:
            given = values.get("ClientToken")
            request["ClientToken"] = str(given or idempotency_token(token_seed, region, request))
        if dry_run:
            request["DryRun"] = True
        return request

    def build_requests(
        self,
        values: Mapping[str, object],
        *,
        region: str | None = None,
        dry_run: bool = False,
        token_seed: str | None = None,
        regions: Collection[str] | None = None,
    ) -> list[tuple[str | None, dict]]:
        """``[(region to call in, kwargs), ...]``: one per destination for a fan-out
        action (each with its own ClientToken unless one was given), otherwise one
        call in ``region`` (None: the caller's current region)."""
        request = self.build_request(
            values, dry_run=dry_run, token_seed=token_seed, region=region, regions=regions
        )
        if not self.fan_out:
            return [(region, request)]
        targets = self.clean(values)[self.fan_out] or []
        calls = []
        for target in targets:  # type: ignore[attr-defined, union-attr]
            each = copy.deepcopy(request)
            if self.client_token and not values.get("ClientToken"):
                each["ClientToken"] = idempotency_token(token_seed, target, each)
            calls.append((target, each))
        return calls

    def dry_run_request(self, values: Mapping[str, object]) -> dict:
        return self.build_request(values, dry_run=True)
