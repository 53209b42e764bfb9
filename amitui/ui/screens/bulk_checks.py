"""What a bulk form asks AWS about the marked images before anything is sent (plain
functions, run in its worker thread): what uses each image (batched per region, fresh
answers from the session's cache) and whether the Recycle Bin keeps each one."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from amitui.aws.images import Image
from amitui.aws.recycle_bin import Retention, retention_rules
from amitui.aws.usage import FRESH_SECONDS, Check, Usage
from amitui.aws.usage_batch import check_usage_many
from amitui.ui.services import Services

Key = tuple[str, str]  # (region, image id)


def usages(
    services: Services, images: Iterable[Image], progress: Callable[[int], None]
) -> dict[Key, Usage]:
    """A Usage per image; ``progress(answered)`` after the cache and after each region."""
    depth = services.settings.version_depth
    found: dict[Key, Usage] = {}
    asking: dict[str, list[str]] = {}  # region -> ids without a fresh answer
    for image in images:
        usage = services.usage.get(image.region, image.image_id, FRESH_SECONDS)
        if usage is None:
            asking.setdefault(image.region, []).append(image.image_id)
        else:
            found[(image.region, image.image_id)] = usage
    progress(len(found))
    for region, ids in sorted(asking.items()):  # batched: calls per chunk, not per image
        answers = check_usage_many(services.clients, region, ids, version_depth=depth)
        for image_id in ids:
            usage = answers.get(image_id) or Usage(
                image_id, region, (Check("Usage", error="no answer for this image"),)
            )
            services.usage.put(usage)
            found[(region, image_id)] = usage
        progress(len(found))
    return found


def retentions(services: Services, images: list[Image]) -> dict[Key, Retention]:
    """Whether the Recycle Bin keeps each image once deregistered: the rules once per
    region, then each image's tags (never raises: unreadable rules are "not verified")."""
    rules = {
        region: retention_rules(services.clients.client("rbin", region))
        for region in sorted({i.region for i in images})
    }
    return {(i.region, i.image_id): rules[i.region].retention(dict(i.tags)) for i in images}
