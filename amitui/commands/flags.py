"""An action's command line, generated from its ActionSpec (a new action gets its command
without any change here).

* The field the selected image fills (``prefill="image_id"``) is the positional IMAGE.
* Every other field is a flag named after its API name: the last segment of a dotted
  path, numbers and ``Value`` left out, in kebab case (``S3ExportLocation.S3Bucket`` ->
  ``--s3-bucket``, ``Description.Value`` -> ``--description``); the full path when two
  fields would share a name. :data:`ALIASES` renames a few for people (copy's
  destination regions are ``--to``, the typed-back id ``--confirm``, a usage guard's
  override ``--anyway``).
* required (with neither a default nor a prefill) -> a required flag; choice ->
  ``choices``; bool -> a switch (``--x/--no-x`` when it defaults to on); list, regions
  and tags -> repeatable, each also comma-separated; help -> the field's own help.

Values are handed over as the form would (text, joined lists): the spec validates them.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping

from amitui.actions.bulk import TYPED_BACK
from amitui.actions.spec import FORM_ERROR, ActionSpec, Field

#: Friendlier flag names: ``(action or "*", api name) -> flag`` (without the dashes).
ALIASES: dict[tuple[str, str], str] = {
    ("copy", "DestinationRegions"): "to",
    ("*", TYPED_BACK): "confirm",
    ("*", "TagSpecifications"): "tags",
}
#: The flag of a spec's ``usage_override`` field.
OVERRIDE_FLAG = "anyway"
#: Flags every action command has (no field may take their names).
RESERVED = {"help", "profile", "region", "endpoint-url", "read-only", "debug-log"}
RESERVED |= {"dry-run", "wait", "yes"}
IMAGE_PREFILL = "image_id"
METAVARS = {"int": "N", "regions": "REGION", "tags": "KEY=VALUE", "list": "ITEM"}
REPEATED = ("list", "regions", "tags")


def kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


def _short(api_name: str) -> str:
    parts = [p for p in api_name.split(".") if not p.isdigit() and p != "Value"]
    return kebab(parts[-1] if parts else api_name)


def _full(api_name: str) -> str:
    return "-".join(kebab(p) for p in api_name.split(".") if not p.isdigit())


def image_field(spec: ActionSpec) -> Field | None:
    """The field the positional IMAGE fills (an action on one image), if any."""
    if not spec.needs_image:
        return None
    return next((f for f in spec.fields if f.prefill == IMAGE_PREFILL), None)


def flag_names(spec: ActionSpec) -> dict[str, str]:
    """``{api_name: flag}`` (without dashes) for every field but the positional image."""
    image = image_field(spec)
    fields = [f for f in spec.fields if f is not image]
    shorts = [_short(f.api_name) for f in fields]
    names = {}
    for field, short in zip(fields, shorts, strict=True):
        alias = ALIASES.get((spec.name, field.api_name)) or ALIASES.get(("*", field.api_name))
        if field.api_name == spec.usage_override:
            alias = OVERRIDE_FLAG
        if alias:
            names[field.api_name] = alias
        elif shorts.count(short) > 1 or short in RESERVED:
            names[field.api_name] = _full(field.api_name)
        else:
            names[field.api_name] = short
    return names


def _dest(api_name: str) -> str:
    return "field_" + re.sub(r"\W", "_", api_name)


def _help(field: Field, spec: ActionSpec) -> str:
    text = field.help or field.label
    if field.kind in REPEATED:
        text += " Repeat the flag, or separate with commas."
        if field.kind == "tags":
            text += " KEY=VALUE each."
    if field.default not in (None, "", False):
        text += f" Default: {field.default}."
    if field.prefill and field.prefill != IMAGE_PREFILL:
        text += " Default: from the image."
    return text.replace("%", "%%")


def _required(field: Field) -> bool:
    empty = field.default in (None, "", ())
    return field.required and empty and not field.prefill and field.kind != "bool"


def add_fields(parser: argparse.ArgumentParser, spec: ActionSpec) -> None:
    image = image_field(spec)
    if image is not None:
        parser.add_argument("image", metavar="IMAGE", help=_help(image, spec))
    group = parser.add_argument_group(f"{spec.title} (the form's fields)")
    for api_name, flag in flag_names(spec).items():
        field = spec.field(api_name)
        kwargs: dict[str, object] = {"dest": _dest(api_name), "help": _help(field, spec)}
        if field.kind == "bool":
            if field.default is True:
                kwargs.update(action=argparse.BooleanOptionalAction, default=None)
            else:
                kwargs.update(action="store_const", const=True, default=None)
        else:
            kwargs["required"] = _required(field)
            kwargs["metavar"] = METAVARS.get(field.kind) or flag.split("-")[-1].upper()
            if field.kind == "choice":
                kwargs.update(choices=field.choices, metavar="{" + ",".join(field.choices) + "}")
            if field.kind in REPEATED:
                kwargs["action"] = "append"
        group.add_argument(f"--{flag}", **kwargs)  # type: ignore[arg-type]


def given_values(spec: ActionSpec, args: argparse.Namespace) -> dict[str, object]:
    """The values the command line gave (a field not given is absent), as form text."""
    values: dict[str, object] = {}
    image = image_field(spec)
    if image is not None:
        values[image.api_name] = args.image
    for api_name in flag_names(spec):
        raw = getattr(args, _dest(api_name), None)
        if raw is None:
            continue
        values[api_name] = ", ".join(raw) if isinstance(raw, list) else raw
    return values


def field_errors(spec: ActionSpec, values: Mapping[str, object]) -> dict[str, str]:
    """Each given value's own error (no call, no context needed)."""
    errors = {}
    for api_name, raw in values.items():
        if message := spec.field(api_name).check(raw):
            errors[api_name] = message
    return errors


def error_lines(spec: ActionSpec, errors: Mapping[str, str]) -> list[str]:
    """``--to: "eu-west-9" is not a region EC2 knows.``, one per field."""
    names = flag_names(spec)
    image = image_field(spec)
    lines = []
    for api_name, message in errors.items():
        if api_name == FORM_ERROR:
            lines.append(message)
        elif image is not None and api_name == image.api_name:
            lines.append(f"IMAGE: {message}")
        else:
            lines.append(f"--{names.get(api_name, kebab(api_name))}: {message}")
    return lines
