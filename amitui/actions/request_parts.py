"""The parts of a request dict that the form model builds: dotted paths, tags, tokens.

Pure helpers for :class:`amitui.actions.spec.ActionSpec` (no boto3 call, no Textual).
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Mapping, Sequence


def set_path(request: dict, path: str, value: object) -> None:
    """``set_path(r, "A.0.B", x)`` -> ``r["A"][0]["B"] = x`` (creating dicts/lists)."""
    parts = path.split(".")
    node: dict | list = request
    for part, following in itertools.pairwise(parts):
        make = list if following.isdigit() else dict
        if isinstance(node, list):
            index = int(part)
            node.extend([None] * (index + 1 - len(node)))
            if node[index] is None:
                node[index] = make()
            node = node[index]
        else:
            node = node.setdefault(part, make())
    last = parts[-1]
    if isinstance(node, list):
        index = int(last)
        node.extend([None] * (index + 1 - len(node)))
        node[index] = value
    else:
        node[last] = value


def compact(node: object) -> object:
    """Drop list holes and empty dicts/lists left by unset indexed fields."""
    if isinstance(node, dict):
        out = {k: compact(x) for k, x in node.items()}
        return {k: x for k, x in out.items() if x not in ({}, [], None)}
    if isinstance(node, list):
        items = [compact(x) for x in node]
        return [x for x in items if x not in ({}, [], None)]
    return node


def tag_specifications(
    resource_types: Sequence[str], tags: Sequence[tuple[str, str]]
) -> list[dict]:
    tag_list = [{"Key": k, "Value": val} for k, val in tags]
    return [{"ResourceType": rt, "Tags": list(tag_list)} for rt in resource_types]


def idempotency_token(seed: str | None, region: str | None, request: Mapping) -> str:
    """A ClientToken: fresh each time without a seed; with one, the same for the same
    request to the same region. A form that keeps its seed and is sent again (after an
    answer was lost) then makes AWS answer with the first call's result instead of
    starting a second copy, export or import."""
    if seed is None:
        return str(uuid.uuid4())
    body = {k: v for k, v in request.items() if k not in ("ClientToken", "DryRun")}
    text = json.dumps(body, sort_keys=True, default=str)
    return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{seed}|{region or ''}|{text}"))
