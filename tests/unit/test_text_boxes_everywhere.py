"""Every text box the app shows keeps a fast typist's keys in order: it is a TextBox
(amitui/ui/widgets/text_box.py, Textual issue #6605), never Textual's Input itself, whose
editing keys run after the keys typed behind them. tests/app/test_text_box_keys.py shows
the order kept; this finds a box that would not keep it."""

import ast
import pathlib

UI = pathlib.Path(__file__).resolve().parents[2] / "amitui" / "ui"


def plain_inputs(path: pathlib.Path) -> list[int]:
    """Lines of ``path`` that construct textual's Input (``Input(...)``)."""
    tree = ast.parse(path.read_text())
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        if node.func.id == "Input"
    ]


def test_no_screen_builds_a_plain_input():
    found = {
        str(path.relative_to(UI)): lines
        for path in sorted(UI.rglob("*.py"))
        if (lines := plain_inputs(path))
    }
    assert found == {}


def test_the_scan_finds_a_plain_input(tmp_path):
    sample = tmp_path / "screen.py"
    sample.write_text("from textual.widgets import Input\nbox = Input(id='x')\n")
    assert plain_inputs(sample) == [2]
