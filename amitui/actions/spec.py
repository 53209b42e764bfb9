"""The declarative action model: ``ActionSpec`` (its fields: :mod:`amitui.actions.field`).

One ``ActionSpec`` per image action (one module each in :mod:`amitui.actions`) says
everything about the action that is not layout: its fields, their rules, how to build
the call, whether it needs a selected image, and the task it starts, if any. It drives
the generic form, the validation and the request dict. Pure logic: no boto3 call, no
Textual, no keys (the UI binds keys: :mod:`amitui.ui.action_keys`).

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
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from amitui.actions.field import FIELD_KINDS, Field, FieldKind
from amitui.actions.request_parts import compact, idempotency_token, set_path, tag_specifications
from amitui.aws import validators as v
from amitui.aws.usage import Usage
from amitui.tasks.kinds import TaskKind

__all__ = ["FIELD_KINDS", "FORM_ERROR", "ActionSpec", "Field", "FieldKind", "InvalidForm"]

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

ContextRule = Callable[[Mapping[str, object], Mapping[str, object]], Mapping[str, str]]
"""A rule between the values and what is known of the selected image and its region
(``image_context``; sharing: public sharing is blocked there), like a cross validator."""

Reuser = Callable[[Any, Mapping[str, object]], str | None]
"""An earlier result to reuse instead of calling: ``(ec2 client of the call's region,
cleaned values)`` -> the id the call would have started (usage report: an unexpired report
on the same image for the same accounts), or None to call. It may call AWS (describe)."""


BulkValues = Callable[[Mapping[str, object], Mapping[str, object]], Mapping[str, object]]
"""One image's values in a bulk run, from the bulk form's values and that image's context
(tags: the image's own tags with the form's added or changed, none removed)."""


class InvalidForm(ValueError):
    """``build_request`` was given values that do not validate."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {m}" for k, m in self.errors.items()))


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
    context_rules: tuple[ContextRule, ...] = ()
    #: it deregisters: its forms say whether the Recycle Bin keeps the image, and how long
    recycle_bin: bool = False
    #: it may run over many marked images at once (one item per image: amitui/actions/bulk.py)
    bulk: bool = False
    bulk_values: BulkValues | None = None
    #: what the bulk form says about the action over many images (tags: none removed)
    bulk_note: str = ""
    #: what the form says when the image is one of several accounts' (--accounts)
    account_note: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.name.capitalize())
        if self.usage_override is not None and self.field(self.usage_override).kind != "bool":
            raise ValueError(f"{self.name}: usage_override must name a bool field")
        if self.task is not None and not self.result_key:
            raise ValueError(f"{self.name}: a task needs the result_key naming its id")
        if self.bulk and (not self.needs_image or self.task is not None or self.fan_out):
            raise ValueError(f"{self.name}: only an action on one image, starting no task, bulks")

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
        self,
        values: Mapping[str, object],
        *,
        regions: Collection[str] | None = None,
        context: Mapping[str, object] | None = None,
    ) -> dict[str, str]:
        """``{api_name: message}`` for every invalid field (``FORM_ERROR`` for the
        form as a whole); empty when the form may be submitted. Cheap enough to
        call on every keystroke.

        ``regions``: the regions that exist for the caller (DescribeRegions); a field
        with ``lookup="regions"`` must name only those. Without it, only regions
        botocore's endpoint data lists for EC2 pass (a well-formed ``eu-west-9`` does not).
        ``context``: the selected image's (and its region's) facts ``context_rules`` read."""
        raw = self._raw(values)
        errors = {f.api_name: message for f in self.fields if (message := f.check(raw[f.api_name]))}
        cleaned = self.clean(values)
        for key, message in self._unknown_regions(cleaned, regions).items():
            errors.setdefault(key, message)
        for rule in self.cross_validators:
            for key, message in rule(cleaned).items():
                errors.setdefault(key, message)
        for context_rule in self.context_rules if context is not None else ():
            for key, message in context_rule(cleaned, context).items():  # type: ignore[arg-type]
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
