"""The inventory's ``w``: the view (filtered, sorted rows; the columns shown) to a file."""

from __future__ import annotations

import csv
import json

from amitui.ui.screens.write_view import WriteViewScreen
from amitui.ui.view_file import value
from tests.app.helpers import SIZE, loaded, make_app, table, type_filter, visible_images, wait_for


async def test_w_writes_the_filtered_sorted_view_as_csv(memory, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(memory, columns=("name", "id", "created", "arch", "launched"))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        await type_filter(pilot, *"arch:arm64 !windows", value="arch:arm64 !windows")
        table(app).sort("created", reverse=True)
        await pilot.press("enter")  # back to the table
        table(app).focus()
        await pilot.press("w")
        modal = await wait_for(
            pilot, lambda: isinstance(app.screen, WriteViewScreen) and app.screen, what="modal"
        )
        path_input = modal.query_one("#path")
        assert path_input.value.startswith("amitui-us-east-1-") and path_input.value.endswith(
            ".csv"
        )
        path_input.value = "view.csv"
        await pilot.press("enter")
        target = tmp_path / "view.csv"
        await wait_for(pilot, lambda: any("view.csv" in n for n in app.notified), what="written")
        shown = visible_images(app)
        columns = table(app).columns
        with target.open(newline="", encoding="utf-8") as fh:
            written = list(csv.reader(fh))
        assert (
            written[0] == [c.key for c in columns] == ["name", "id", "arch", "created", "launched"]
        )
        assert written[1:] == [[value(c, i) for c in columns] for i in shown]
        assert len(shown) > 5 and all(i.architecture == "arm64" for i in shown)
        assert [r[3] for r in written[1:]] == sorted((r[3] for r in written[1:]), reverse=True)
        assert f"Wrote {len(shown):,} rows (5 columns) to {target}" in app.notified

        # The same name again: refused until Overwrite is ticked; .json writes JSON.
        await pilot.press("w")
        modal = await wait_for(
            pilot, lambda: isinstance(app.screen, WriteViewScreen) and app.screen, what="modal"
        )
        modal.query_one("#path").value = "view.csv"
        await pilot.press("enter")
        assert "exists" in str(modal.query_one("#problem").render())
        assert app.screen is modal
        modal.query_one("#path").value = "view.json"
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "view.json").exists(), what="json")
        objects = json.loads((tmp_path / "view.json").read_text(encoding="utf-8"))
        assert [o["id"] for o in objects] == [i.image_id for i in shown]

        await pilot.press("w")
        modal = await wait_for(
            pilot, lambda: isinstance(app.screen, WriteViewScreen) and app.screen, what="modal"
        )
        modal.query_one("#path").value = "view.csv"
        await pilot.press("ctrl+o", "enter")
        await wait_for(
            pilot,
            lambda: sum(str(target) in n for n in app.notified) == 2,
            what="written over",
        )
