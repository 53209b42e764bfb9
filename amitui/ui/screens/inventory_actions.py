"""The inventory's action keys: open the generic form, then record what it started."""

from __future__ import annotations

from textual import work
from textual.binding import Binding

from amitui.actions import ACTIONS
from amitui.aws.errors import describe_error
from amitui.aws.execute import snapshot_results
from amitui.aws.images import Image, fetch_images
from amitui.ui.action_keys import key_for
from amitui.ui.messages import ImagesChanged
from amitui.ui.screens.action_form import ActionForm, ActionsStarted, FormOutcome


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


class InventoryActions:
    """Mixed into InventoryScreen: everything between an action key and the table update.

    Handlers here use ``on_<message>`` names (dispatched by name through the MRO), not
    ``@on``, which only registers on MessagePump subclasses."""

    def action_open_action(self, name: str) -> None:
        spec = ACTIONS[name]
        if self.app.settings.read_only:
            self.notify(
                f"{spec.title} is not allowed: amitui was started with --read-only",
                title="Read-only",
                severity="error",
            )
            return
        image = self.current_image()
        if spec.needs_image and image is None:
            self.notify(f"Select an image to {name} first", severity="warning")
            return
        region = image.region if image else self.app.regions[0]
        self.app.push_screen(ActionForm(spec, image, region), self._form_closed)

    def _form_closed(self, outcome: FormOutcome | None) -> None:
        if outcome is not None:
            self.record_outcome(outcome)

    def on_actions_started(self, message: ActionsStarted) -> None:
        self.record_outcome(message.outcome)

    def record_outcome(self, outcome: FormOutcome) -> None:
        spec = outcome.spec
        if spec.image_row == "removes":
            result = outcome.results[0]
            image_id = result.request["ImageId"]
            # The form is fixed to its image, so the request names the row it showed.
            self.rows.remove(image_id, result.region)
            self.table_changed()
            lines = snapshot_results(result.response) or list(result.notes)
            detail = ("\n" + "\n".join(lines)) if lines else ""
            left = any("STILL EXISTS" in line or "not verified" in line for line in lines)
            self.notify(
                f"{spec.title} done: {image_id}{detail}",
                severity="warning" if left else "information",
                timeout=20 if left else 5,
            )
            return
        new_images: dict[str, list[str]] = {}
        for result in outcome.results:
            target = result.result_id or "?"
            if spec.task is None:
                self.notify(f"{spec.title}: done in {result.region}", title="Done")
            else:  # the form's worker stored the task in SQLite before we got here
                self.notify(f"{spec.title} started: {target} in {result.region}", title="Started")
            if spec.image_row == "adds" and result.result_id:
                new_images.setdefault(result.region, []).append(target)
        if new_images:
            self.fetch_changed_images(new_images)

    @work(thread=True, exit_on_error=False, group="changed-images", description="changed images")
    def fetch_changed_images(self, ids_by_region: dict[str, list[str]]) -> None:
        """Show new or changed images (a pending copy included) without a full reload."""
        images: list[Image] = []
        for region, ids in ids_by_region.items():
            if region not in self.app.regions:
                continue
            try:
                images += fetch_images(self.app.clients.ec2(region), region, ids)
            except Exception as exc:
                self.app.call_from_thread(
                    self.notify, describe_error(exc), title="Refresh failed", severity="warning"
                )
        if images:
            self.post_message(ImagesChanged(images))

    def on_images_changed(self, message: ImagesChanged) -> None:
        self.rows.extend(message.images)
        self.table_changed()
