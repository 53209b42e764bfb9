"""--read-only as the user sees it: every action key and palette command answers that it
is not allowed and opens nothing; the footer and palette say so. (That nothing mutating
reaches the endpoint, from any key of any screen or below the UI, is owned by
tests/reliability/test_read_only_everything.py.)"""

from __future__ import annotations

from amitui.actions import ACTIONS
from amitui.ui.action_keys import key_for
from tests.app.helpers import SIZE, loaded, make_app, table, wait_for


async def test_every_action_key_and_palette_command_is_refused(memory):
    app = make_app(memory, read_only=True, regions=("us-east-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert table(app).current is not None

        async def refused(run, what: str) -> None:
            before = len(app.notified)
            result = run()
            if hasattr(result, "__await__"):
                await result
            await wait_for(
                pilot,
                lambda: any("read-only" in m for m in app.notified[before:]),
                what=f"{what} to be refused",
            )
            assert app.screen is app.inventory, f"{what} opened a screen under --read-only"

        for spec in ACTIONS.values():
            key = key_for(spec.name)
            if key is not None:  # the keyless ones are palette commands (below)
                await refused(lambda key=key: pilot.press(key), f"the {key} key")
        # the palette runs the same actions, and the keyless ones
        titles = [c.title for c in app.get_system_commands(app.inventory)]
        assert sum("(read-only)" in t for t in titles) == len(ACTIONS)
        for command in app.get_system_commands(app.inventory):
            if "(read-only)" in command.title:
                await refused(command.callback, command.title)
        footer_text = " ".join(
            a.binding.description for a in app.inventory.active_bindings.values()
        )
        assert "Copy (read-only)" in footer_text
