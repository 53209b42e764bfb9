"""One action over many images: the per-image calls a bulk run makes (pure).

A spec with ``bulk=True`` acts on one image and starts no task (deregister, protection,
deprecation, disable/enable, description, tags). Over many marked images, its form asks
the shared values once; each image then gets the values the single-image form would send
for it: its own ``ImageId`` (every field prefilled with ``image_id``), the typed-back id
confirmed by the bulk form's own typed confirmation (see :func:`confirmation_phrase`),
and whatever ``spec.bulk_values`` derives from that image (tags: its own tags plus the
form's). The same validation and request building as the single form make the calls, so
what the preview shows is what each item sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from amitui.actions.run import planned_calls
from amitui.actions.spec import FORM_ERROR, ActionSpec, InvalidForm

#: The single form's typed-back field: the bulk form confirms the whole run instead.
TYPED_BACK = "ConfirmImageId"

Call = tuple[str, dict]


def destructive(spec: ActionSpec) -> bool:
    """It has the user type the image id back when it acts on one image."""
    return any(f.api_name == TYPED_BACK for f in spec.fields)


def per_image_fields(spec: ActionSpec) -> frozenset[str]:
    """The fields each image fills itself (the bulk form shows no box for them)."""
    return frozenset(f.api_name for f in spec.fields if f.prefill == "image_id") | {TYPED_BACK}


def confirmation_phrase(spec: ActionSpec, count: int) -> str:
    """What a destructive bulk form has typed back: ``deregister 12``."""
    return f"{spec.name} {count}"


@dataclass(frozen=True, slots=True)
class ImagePlan:
    """What one image's item will send, or why it cannot."""

    image_id: str
    region: str
    calls: tuple[Call, ...] = ()
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.calls)


def image_values(
    spec: ActionSpec, values: Mapping[str, object], context: Mapping[str, object]
) -> dict[str, object]:
    """The values the single-image form would send for the image ``context`` describes."""
    out = dict(values)
    image_id = context.get("image_id")
    for name in per_image_fields(spec):
        out[name] = image_id
    if spec.bulk_values is not None:
        out.update(spec.bulk_values(spec.clean(out), context))
    return out


def image_plan(
    spec: ActionSpec, values: Mapping[str, object], context: Mapping[str, object]
) -> ImagePlan:
    """The calls for one image (``context``: :func:`amitui.ui...image_context`-shaped:
    image_id, region, tags, snapshot_ids, …), validated as the single form validates."""
    image_id, region = str(context.get("image_id") or ""), str(context.get("region") or "")
    # the shared values as the user typed them first (bulk_values reads them cleaned)
    errors = spec.validate({**values, **{n: image_id for n in per_image_fields(spec)}})
    if not errors:
        per = image_values(spec, values, context)
        errors = spec.validate(per, context=context)
    if errors:
        message = errors.get(FORM_ERROR) or "; ".join(f"{k}: {m}" for k, m in errors.items())
        return ImagePlan(image_id, region, error=message)
    try:
        if spec.plan is not None:
            calls = planned_calls(spec, per, context)
        else:
            request = spec.build_request(per)
            request.pop("DryRun", None)
            calls = [(spec.operation, request)]
    except InvalidForm as exc:
        return ImagePlan(image_id, region, error=str(exc))
    if not calls:
        return ImagePlan(image_id, region, error="nothing to change")
    return ImagePlan(image_id, region, tuple(calls))


def call_line(call: Call) -> str:
    """``DeregisterImage DeleteAssociatedSnapshots=True`` (the preview's, beside the id)."""
    operation, request = call
    parts = []
    for key, value in request.items():
        if key in ("DryRun", "ImageId"):  # the image's id is in the row beside it
            continue
        if key == "Resources":  # the image, and its snapshots when asked
            snapshots = [r for r in value if not str(r).startswith("ami-")]
            if snapshots:
                parts.append(f"(+{len(snapshots)} snapshots)")
            continue
        parts.append(f"{key}={_short(value)}")
    return " ".join([operation, *parts])


def _short(value: object) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return ",".join(
            "=".join(str(v) for v in item.values())
            for item in value  # Tags: Key=Value
        )
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)
