"""Long work on the UI thread, a slice at a time, so keys and paints get in between."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable


async def in_slices(
    steps: Iterable[object], seconds: float, still: Callable[[], bool] = lambda: True
) -> bool:
    """Run ``steps`` (each a few milliseconds at most) for ``seconds`` at a time, yielding
    to the event loop between slices, while ``still()``. True once the steps ran out."""
    steps = iter(steps)
    while still():
        deadline = time.perf_counter() + seconds
        for _ in steps:
            if time.perf_counter() >= deadline:
                break
        else:
            return True
        await asyncio.sleep(0)
    return False
