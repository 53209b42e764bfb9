"""The inventory's action keys, and what a form's outcome does to the inventory.

Plain functions: the screen binds the keys and applies the effects (a row removed, toasts,
images fetched again); tests read the effects without a screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.notifications import SeverityLevel

from amitui.actions import ACTIONS
from amitui.ui.action_keys import key_for

if TYPE_CHECKING:  # the form loads with the first form opened, not with the inventory
    from amitui.ui.screens.action_form import FormOutcome


def action_bindings(read_only: bool) -> list[tuple[str, str, str]]:
    """(key, action, description) per registered action with a key; under --read-only
    each says so."""
    suffix = " (read-only)" if read_only else ""
    return [
        (key, f"open_action('{name}')", spec.label + suffix)
        for name, spec in ACTIONS.items()
        if (key := key_for(name))
    ]


def action_binding_id(action: str) -> str:
    """The config.toml ``[keys]`` id of an action key (``open_action('copy')``: action.copy)."""
    return "action." + action.removeprefix("open_action('").removesuffix("')")


def action_key_bindings(read_only: bool) -> list[Binding]:
    """The action keys as bindings with ids. Read-only: the keys stay bound (they answer
    "read-only"; help and the palette list them so marked) but the footer does not offer
    them."""
    return [
        Binding(key, action, description, show=not read_only, id=action_binding_id(action))
        for key, action, description in action_bindings(read_only)
    ]


@dataclass(frozen=True, slots=True)
class Toast:
    text: str
    title: str = ""
    severity: SeverityLevel = "information"
    timeout: float = 5


@dataclass
class OutcomeEffects:
    """What a form's outcome does to the inventory."""

    #: (image id, region) of the row the form removed: the one it was fixed to
    removed: tuple[str, str] | None = None
    toasts: list[Toast] = field(default_factory=list)
    #: images to fetch again, per region (a new image, a pending copy)
    fetch: dict[str, list[str]] = field(default_factory=dict)


def outcome_effects(outcome: FormOutcome) -> OutcomeEffects:
    from amitui.aws.execute import snapshot_results  # (with the first form: loads botocore)

    spec = outcome.spec
    effects = OutcomeEffects()
    if spec.image_row == "removes":
        result = outcome.results[0]
        image_id = result.request["ImageId"]
        # The form is fixed to its image, so the request names the row it showed.
        effects.removed = (image_id, result.region)
        lines = snapshot_results(result.response) or list(result.notes)
        detail = ("\n" + "\n".join(lines)) if lines else ""
        left = any("STILL EXISTS" in line or "not verified" in line for line in lines)
        effects.toasts.append(
            Toast(
                f"{spec.title} done: {image_id}{detail}",
                severity="warning" if left else "information",
                timeout=20 if left else 5,
            )
        )
        return effects
    said: set[str] = set()  # a planned action's calls: one toast per region, naming them
    for result in outcome.results:
        target = result.result_id or "?"
        reused = [n for n in result.notes if n.startswith("reused")]
        if reused:
            effects.toasts.append(Toast(f"{spec.title}: {reused[0]}", "Reused"))
        elif spec.plan is not None:
            if result.region not in said:
                said.add(result.region)
                calls = ", ".join(r.operation for r in outcome.results if r.region == result.region)
                text = f"{spec.title}: done in {result.region} ({calls})"
                effects.toasts.append(Toast(text, "Done"))
        elif spec.task is None:
            effects.toasts.append(Toast(f"{spec.title}: done in {result.region}", "Done"))
        else:  # the form's worker stored the task in SQLite before we got here
            effects.toasts.append(
                Toast(f"{spec.title} started: {target} in {result.region}", "Started")
            )
        if spec.image_row == "adds" and result.result_id:
            effects.fetch.setdefault(result.region, []).append(target)
        # The form is fixed to its image: that row is the one that changed (a planned call
        # such as CreateTags names it among its Resources, not as ImageId).
        image = outcome.image
        changed = image.image_id if image else result.request.get("ImageId")
        if spec.image_row == "refreshes" and isinstance(changed, str):
            fetch = effects.fetch.setdefault(result.region, [])
            if changed not in fetch:
                fetch.append(changed)
    return effects
