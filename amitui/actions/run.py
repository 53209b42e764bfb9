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
) -> list[CallResult]:
    """Make the spec's call(s). Raises InvalidForm (before any call) for invalid values.
    The same ``token_seed`` and values give the same ClientTokens (see
    :func:`amitui.actions.request_parts.idempotency_token`): sending again repeats no
    work. ``regions``: the regions that exist (see ``ActionSpec.validate``).
    ``image_snapshots``: see :func:`amitui.aws.execute.call`."""
    calls = spec.build_requests(
        values, region=region, dry_run=dry_run, token_seed=token_seed, regions=regions
    )
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
