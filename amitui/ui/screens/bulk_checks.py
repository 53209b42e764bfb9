"""What a bulk form asks AWS about the marked images before anything is sent (plain
functions, run in its worker thread): what uses each image (batched per region, fresh
answers from the session's cache), whether the Recycle Bin keeps each one, and (its dry
run) whether each item's calls would be allowed. With
--accounts each image is asked about in its own account, with that account's clients; an
account that cannot be reached answers "not verified" with its reason."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from amitui.actions.bulk import ImagePlan
from amitui.aws.execute import call
from amitui.aws.images import Image, place_of
from amitui.aws.recycle_bin import Retention, RuleSet, retention_rules
from amitui.aws.usage import FRESH_SECONDS, Check, Usage
from amitui.aws.usage_batch import check_usage_many
from amitui.ui.services import Services

Key = tuple[str, str]  # (place, image id): an image listed in two accounts is asked in each


def usages(
    services: Services, images: Iterable[Image], progress: Callable[[int], None]
) -> dict[Key, Usage]:
    """A Usage per image; ``progress(answered)`` after the cache and after each region."""
    depth = services.settings.version_depth
    found: dict[Key, Usage] = {}
    asking: dict[tuple[str, str], list[str]] = {}  # (account, region) -> ids to ask about
    for image in images:
        usage = services.usage.get(
            image.region, image.image_id, FRESH_SECONDS, account=image.account
        )
        if usage is None:
            asking.setdefault((image.account, image.region), []).append(image.image_id)
        else:
            found[(image.place, image.image_id)] = usage
    progress(len(found))
    for (account, region), ids in sorted(asking.items()):  # calls per chunk, not per image
        why = "no answer for this image"
        try:
            clients = services.clients_for(account)
        except Exception as exc:  # AccountUnavailable: nothing could be asked
            answers, why = {}, f"account {account} not reached: {exc}"
        else:
            answers = check_usage_many(clients, region, ids, version_depth=depth)
        for image_id in ids:
            usage = answers.get(image_id) or Usage(image_id, region, (Check("Usage", error=why),))
            services.usage.put(usage, account=account)
            found[(place_of(account, region), image_id)] = usage
        progress(len(found))
    return found


def retentions(services: Services, images: list[Image]) -> dict[Key, Retention]:
    """Whether the Recycle Bin keeps each image once deregistered: the rules once per
    region, then each image's tags (never raises: unreadable rules are "not verified")."""
    rules: dict[tuple[str, str], RuleSet] = {}
    for account, region in sorted({(i.account, i.region) for i in images}):
        try:
            rbin = services.clients_for(account).client("rbin", region)
        except Exception as exc:  # AccountUnavailable
            rules[(account, region)] = RuleSet(error=f"account {account} not reached: {exc}")
            continue
        rules[(account, region)] = retention_rules(rbin)
    return {
        (i.place, i.image_id): rules[(i.account, i.region)].retention(dict(i.tags)) for i in images
    }


def dry_run(services: Services, going: Iterable[tuple[Image, ImagePlan]]) -> list[str]:
    """Each item's calls sent with DryRun in its image's account (nothing changes): one
    line per image whose calls would be refused ("id: why"), none when all are allowed."""
    denied: list[str] = []
    for image, plan in going:
        try:
            clients = services.clients_for(image.account)
        except Exception as exc:  # AccountUnavailable
            denied.append(f"{plan.image_id}: {exc}")
            continue
        for operation, request in plan.calls:
            result = call(
                clients, plan.region, operation, {**request, "DryRun": True}, dry_run=True
            )
            if not result.ok:
                denied.append(f"{plan.image_id}: {result.error}")
                break
    return denied
