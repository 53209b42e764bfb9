"""Run an action: validated spec values in, one CallResult per API call out.

Never raises for AWS trouble: each call's failure becomes one readable line with its
error code, so the form can stay open and show it. Dry runs report "allowed"
(DryRunOperation) or the denial (UnauthorizedOperation).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from amitui.actions.spec import ActionSpec
from amitui.aws.clients import AwsClients
from amitui.aws.execute import CallResult, call


def run_action(
    clients: AwsClients,
    spec: ActionSpec,
    values: Mapping[str, object],
    region: str,
    *,
    dry_run: bool = False,
    token_seed: str | None = None,
    regions: Collection[str] | None = None,
    image_snapshots: Sequence[str] = (),
    context: Mapping[str, object] | None = None,
) -> list[CallResult]:
    """Make the spec's call(s). Raises InvalidForm (before any call) for invalid values.
    The same ``token_seed`` and values give the same ClientTokens (see
    :func:`amitui.actions.request_parts.idempotency_token`): sending again repeats no
    work. ``regions``: the regions that exist (see ``ActionSpec.validate``).
    ``image_snapshots``: see :func:`amitui.aws.execute.call`. ``context``: the selected
    image's (see ``ActionSpec.plan``): a planned action makes its calls in order and
    stops at the first that fails."""
    calls = spec.build_requests(
        values, region=region, dry_run=dry_run, token_seed=token_seed, regions=regions
    )
    if spec.plan is not None:
        return _planned(clients, spec, values, calls, region, dry_run, context or {})
    if spec.reuse is not None and not dry_run:
        reused = [_reused(clients, spec, values, r or region, request) for r, request in calls]
        if all(r is not None for r in reused):
            return [r for r in reused if r is not None]
    return [
        call(
            clients,
            call_region or region,
            spec.operation,
            request,
            dry_run=dry_run,
            result_key=spec.result_key,
            image_snapshots=image_snapshots,
        )
        for call_region, request in calls
    ]


def _reused(
    clients: AwsClients, spec: ActionSpec, values: Mapping[str, object], region: str, request: dict
) -> CallResult | None:
    """The earlier result ``spec.reuse`` finds, as this call's (no call is made)."""
    assert spec.reuse is not None and spec.result_key is not None
    try:
        found = spec.reuse(clients.ec2(region), spec.clean(values))
    except Exception:  # could not look: make the call (AWS answers for itself)
        return None
    if not found:
        return None
    note = f"reused {found}, made earlier and not expired (nothing new was asked of AWS)"
    return CallResult(
        region,
        spec.operation,
        request,
        response={spec.result_key: found},
        notes=(note,),
        result_key=spec.result_key,
    )


def planned_calls(
    spec: ActionSpec, values: Mapping[str, object], context: Mapping[str, object]
) -> list[tuple[str, dict]]:
    """The (operation, request) pairs a planned action would send for ``values`` (the form
    previews them); raises InvalidForm like ``build_request``."""
    assert spec.plan is not None
    return spec.plan(spec.build_request(values), spec.clean(values), context)


def _planned(
    clients: AwsClients,
    spec: ActionSpec,
    values: Mapping[str, object],
    calls: list[tuple[str | None, dict]],
    region: str,
    dry_run: bool,
    context: Mapping[str, object],
) -> list[CallResult]:
    assert spec.plan is not None
    cleaned = spec.clean(values)
    results: list[CallResult] = []
    for call_region, request in calls:
        request = {k: v for k, v in request.items() if k != "DryRun"}
        for operation, each in spec.plan(request, cleaned, context):
            if dry_run:
                each = {**each, "DryRun": True}
            result = call(clients, call_region or region, operation, each, dry_run=dry_run)
            results.append(result)
            if not result.ok:
                return results
    return results
