"""One command per registered action (`amitui copy ami-… --to eu-west-1 [--wait]`, …),
run as its form runs it: the same spec, prefills, validation, guards and calls.

In order, nothing sent before its step: refused under --read-only; each given value
checked alone (no call at all); the image described in --region for the prefills and
the context rules (the copy's default name, deregister's snapshots); every field
validated; a confirmation (create reboots the instance) needs ``--yes``; a usage guard
asks what uses the image and says it (deregister refuses unless ``--anyway``); then the
calls. A task a call started is recorded in the UI's store (committed) before its id is
printed; ``--wait`` then follows the started tasks like `amitui tasks wait`.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from amitui.actions import ACTIONS
from amitui.actions.spec import ActionSpec
from amitui.commands.common import FAILED, OK, REFUSED, Context
from amitui.commands.flags import (
    OVERRIDE_FLAG,
    add_fields,
    error_lines,
    field_errors,
    given_values,
    image_field,
)
from amitui.commands.follow import follow
from amitui.tasks.service import TaskService


def add_parsers(commands: Any, parent: argparse.ArgumentParser) -> None:
    for spec in ACTIONS.values():
        parser = commands.add_parser(
            spec.name,
            parents=[parent],
            help=spec.summary or spec.title,
            description=f"{spec.title} ({spec.operation}). {spec.summary}",
        )
        add_fields(parser, spec)
        run_group = parser.add_argument_group("running it")
        run_group.add_argument(
            "--dry-run",
            action="store_true",
            help="ask AWS whether it would be allowed (DryRun); nothing changes",
        )
        if spec.task is not None:
            run_group.add_argument(
                "--wait",
                action="store_true",
                help="follow the started tasks to their end (exit 1 if any fails)",
            )
        if spec.confirm is not None:
            run_group.add_argument(
                "--yes", action="store_true", help="send it although it warns (see the warning)"
            )
        parser.set_defaults(command=spec.name)


def _refuse(ctx: Context, spec: ActionSpec, lines: list[str]) -> int:
    for line in lines:
        ctx.warn(f"amitui {spec.name}: {line}")
    ctx.warn(f"amitui {spec.name}: nothing was sent")
    return REFUSED


def image_context(ctx: Context, spec: ActionSpec, values: Mapping[str, object], region: str):
    """What the form knows of its selected image (None: there is no such image)."""
    from amitui.actions.context import image_context as form_context
    from amitui.aws.images import Image, describe_image, public_sharing

    field = image_field(spec)
    if field is None:
        return {"region": region}
    ec2 = ctx.clients.ec2(region)
    raw = describe_image(ec2, str(values[field.api_name]))
    if raw is None:
        return None
    context = form_context(Image.from_api(raw, region), region)
    if spec.context_rules:
        try:
            context["public_sharing"] = public_sharing(ec2)
        except Exception:  # not known: the rules treat None as not verified
            context["public_sharing"] = None
    return context


def run(ctx: Context, args: argparse.Namespace) -> int:
    spec = ACTIONS[args.command]
    region = ctx.settings.region
    if ctx.settings.read_only and spec.mutating:
        return _refuse(ctx, spec, ["refused in read-only mode (--read-only or config.toml)"])
    given = given_values(spec, args)
    if errors := field_errors(spec, given):
        return _refuse(ctx, spec, error_lines(spec, errors))
    context = image_context(ctx, spec, given, region)
    if context is None:
        ctx.warn(f"amitui {spec.name}: {args.image} not found in {region} (see --region)")
        return FAILED
    values = {**spec.initial_values(context), **given}
    if spec.bulk_values is not None:  # one image from the shell: as in a bulk run
        values.update(spec.bulk_values(spec.clean(values), context))
    if errors := spec.validate(values, context=context):
        return _refuse(ctx, spec, error_lines(spec, errors))
    cleaned = spec.clean(values)
    warning = spec.confirm(cleaned) if spec.confirm and not args.dry_run else None
    if warning and not args.yes:
        return _refuse(ctx, spec, [warning, "add --yes to send it anyway"])
    guarded = spec.usage_guard is not None and not args.dry_run
    if guarded and (refusal := _usage_refusal(ctx, spec, cleaned, context, region)):
        return _refuse(ctx, spec, refusal)
    return _send(ctx, spec, values, context, region, args)


def _usage_refusal(
    ctx: Context,
    spec: ActionSpec,
    cleaned: Mapping[str, object],
    context: Mapping[str, object],
    region: str,
) -> list[str]:
    from amitui.aws.usage_checks import check_usage

    assert spec.usage_guard is not None
    image_id = str(context.get("image_id"))
    usage = check_usage(ctx.clients, region, image_id, version_depth=ctx.settings.version_depth)
    errors = dict(spec.usage_guard(cleaned, usage))
    lines = [f"{image_id}: {line}" for line in usage.blockers()]
    if not errors:  # what the form shows beside it (disable: the shares it drops)
        for line in lines:
            ctx.warn(f"amitui {spec.name}: {line}")
        return []
    if spec.usage_override in errors:  # the form's words name its tick box: say the flag
        errors[spec.usage_override] = f"refused; add --{OVERRIDE_FLAG} to {spec.name} it anyway"
    return lines + error_lines(spec, errors)


def _send(
    ctx: Context,
    spec: ActionSpec,
    values: Mapping[str, object],
    context: Mapping[str, object],
    region: str,
    args: argparse.Namespace,
) -> int:
    from amitui.actions.run import run_action
    from amitui.aws.execute import snapshot_results

    results = run_action(
        ctx.clients,
        spec,
        values,
        region,
        dry_run=args.dry_run,
        context=context,
        image_snapshots=tuple(context.get("snapshot_ids") or ()),  # type: ignore[arg-type]
    )
    if args.dry_run:
        for result in results:
            ctx.say(f"dry run: {result.summary()}")
        return OK if results and all(r.ok for r in results) else FAILED
    if not results:
        ctx.warn(f"amitui {spec.name}: nothing to change: nothing was sent")
        return OK
    # Records started tasks as the UI does; follows nothing in the background (a
    # command's --wait follows in the foreground, and only what it waits for).
    service = TaskService(ctx.clients, ctx.store, ctx.settings.poll_interval, follow=False)
    started = []
    for result in results:
        if not result.ok:
            ctx.warn(f"amitui {spec.name}: {result.summary()}")
            continue
        task = service.record(spec.task, result)  # committed before it is announced
        if task is not None:
            started.append(task.id)
            ctx.say(f"started task {task.id}: {task.kind} {task.target_id} in {task.region}")
        else:
            ctx.say(f"{result.operation} {result.summary()}")
        for line in (*result.notes, *snapshot_results(result.response)):
            ctx.say(f"  {line}")
    code = OK if all(r.ok for r in results) else FAILED
    if started and getattr(args, "wait", False):
        assert service.scope is not None
        if follow(ctx, service.scope, started) != OK:
            code = FAILED
    return code
