"""The requests an action sends, for checks against botocore's model: its one request, or
for a planned action (tags, sharing) every call its plan makes from a typical image."""

from __future__ import annotations

from collections.abc import Mapping

import botocore.session

MODEL = botocore.session.get_session().get_service_model("ec2")

#: The selected image a planned action's calls are built against (tags: what is there).
PLAN_CONTEXT = {
    "tags": (("old", "1"), ("team", "web")),
    "snapshot_ids": ("snap-0123456789abcdef0",),
}


def sent_requests(spec, request: dict, values: Mapping[str, object]) -> list[tuple[object, dict]]:
    """(input shape, request) for each call ``request`` stands for."""
    if spec.plan is None:
        return [(MODEL.operation_model(spec.operation).input_shape, request)]
    request = {k: x for k, x in request.items() if k != "DryRun"}
    return [
        (MODEL.operation_model(operation).input_shape, each)
        for operation, each in spec.plan(request, spec.clean(values), PLAN_CONTEXT)
    ]
