"""MaxResults/NextToken paging as EC2 does it: stable order, opaque tokens.

A token remembers the last id of the page it ends and a fingerprint of the query
that made it. Ordering by id (a cursor, not an offset) keeps pages free of
duplicates and gaps while images come and go between two calls. A token that does
not decode, or that belongs to another query, answers InvalidParameterValue.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from . import errors

T = TypeVar("T")

TOKEN_VERSION = 1


def fingerprint(*parts: Any) -> str:
    """A short digest of a query's parameters (everything except the paging ones)."""
    blob = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def encode_token(after_id: str, query: str) -> str:
    payload = json.dumps({"v": TOKEN_VERSION, "a": after_id, "q": query}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_token(token: str, query: str) -> str:
    """The id a token continues after; InvalidParameterValue if it is not ours."""
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        after = payload["a"]
        ok = payload["v"] == TOKEN_VERSION and payload["q"] == query and isinstance(after, str)
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise errors.invalid_next_token(token)
    return after


def check_max_results(value: int | None, low: int, high: int) -> None:
    if value is not None and not low <= int(value) <= high:
        raise errors.max_results_out_of_range(int(value), low, high)


def paginate(
    items: Sequence[T],
    key: Callable[[T], str],
    *,
    max_results: int | None,
    next_token: str | None,
    query: str,
    default_page: int,
) -> tuple[list[T], str | None]:
    """One page of ``items`` ordered by ``key``, and the token for the next page."""
    size = int(max_results) if max_results is not None else default_page
    ordered = sorted(items, key=key)
    if next_token:
        after = decode_token(next_token, query)
        ordered = [item for item in ordered if key(item) > after]
    page = ordered[:size]
    more = len(ordered) > size
    return page, (encode_token(key(page[-1]), query) if more and page else None)
