"""The failures panel's lines: each failing account once, each failing place otherwise.

With --accounts a listing's places are ``account/region``. An account that could not be
reached (AssumeRole refused, a profile missing) fails in every region with the same
reason: that is one line naming the account. A region that failed on its own (not
enabled in that account, throttled past the retries) is one line naming both.
"""

from __future__ import annotations

from collections.abc import Callable


def failure_lines(
    errors: dict[str, str], places: tuple[str, ...], label_of: Callable[[str], str]
) -> list[str]:
    """``errors``: place -> reason; ``places``: every place of the listing; ``label_of``:
    an account id -> "id (name)"."""
    by_account: dict[str, dict[str, str]] = {}
    for place, reason in errors.items():
        account, _, region = place.rpartition("/")
        by_account.setdefault(account, {})[region] = reason
    lines = []
    for account, failed in by_account.items():
        if not account:
            lines += [f"{region}: {reason}" for region, reason in failed.items()]
            continue
        regions = [p.rpartition("/")[2] for p in places if p.rpartition("/")[0] == account]
        reasons = set(failed.values())
        if len(reasons) == 1 and set(failed) >= set(regions):
            lines.append(f"account {label_of(account)}: {reasons.pop()}")
        else:
            lines += [
                f"account {label_of(account)} {region}: {reason}"
                for region, reason in failed.items()
            ]
    return lines
