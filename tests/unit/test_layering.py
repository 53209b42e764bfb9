"""DESIGN.md, the house drawn by its imports: ui -> actions/tasks -> aws.

* ``amitui.aws`` (the adapter) imports nothing of actions, tasks or ui;
* ``amitui.tasks`` imports nothing of actions or ui (actions declare task kinds with its
  vocabulary; it never names an action);
* ``amitui.actions`` imports nothing of ui;
* ``amitui.cleanup`` (the retention rules) is pure: the aws records only, no boto3;
* nothing below ui loads Textual; ui never imports boto3/botocore;
* the sandbox (the demo's fake EC2) is reached only by the command line, never by ui,
  aws, actions or tasks, and never reaches back into them.
"""

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2] / "amitui"
BELOW_UI = ("aws", "actions", "tasks", "cleanup", "sandbox")
#: what the pure rules (amitui/cleanup) never import
PURE_FORBIDDEN = ("amitui.actions", "amitui.tasks", "amitui.ui", "amitui.sandbox", "textual")
PURE_FORBIDDEN += ("boto3", "botocore")


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            yield base
            if base == "amitui":  # `from amitui import sandbox` names the package
                yield from (f"amitui.{a.name}" for a in node.names)


def imports_of(folder):
    """(file, module) for every import in the package ``amitui/<folder>``."""
    return [
        (str(p.relative_to(ROOT)), m)
        for p in sorted((ROOT / folder).rglob("*.py"))
        for m in imported_modules(p)
    ]


def under(module, *packages):
    return any(module == p or module.startswith(p + ".") for p in packages)


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("aws", ("amitui.actions", "amitui.tasks", "amitui.ui", "amitui.sandbox", "textual")),
        ("tasks", ("amitui.actions", "amitui.ui", "amitui.sandbox", "textual")),
        ("actions", ("amitui.ui", "amitui.sandbox", "textual")),
        ("cleanup", PURE_FORBIDDEN),
        ("ui", ("boto3", "botocore", "amitui.sandbox")),
        ("sandbox", ("amitui.aws", "amitui.actions", "amitui.tasks", "amitui.ui", "textual")),
        # the script commands use the UI's pure modules (rows, query, columns), never Textual's
        ("commands", ("textual", "amitui.ui.app", "amitui.ui.screens", "amitui.ui.widgets")),
    ],
)
def test_arrows(folder, forbidden):
    offenders = [(f, m) for f, m in imports_of(folder) if under(m, *forbidden)]
    assert offenders == []


def test_the_checker_sees_a_forbidden_import(tmp_path):
    """The rule above is only as good as its parser: it must see each import form."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import textual.app\nfrom amitui import ui\nfrom amitui.ui.app import AmiTui\n"
        "def f():\n    import boto3\n"
    )
    found = set(imported_modules(bad))
    assert {"textual.app", "amitui.ui", "amitui.ui.app", "boto3"} <= found


def test_nothing_below_ui_loads_textual():
    """Loading every module of aws, actions and tasks (and the top-level ones) loads
    neither Textual nor amitui.ui, whatever they import indirectly."""
    code = (
        "import sys, importlib, pkgutil\n"
        "import amitui\n"
        f"for name in {BELOW_UI[:-1]!r}:\n"
        "    pkg = importlib.import_module('amitui.' + name)\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(f'amitui.{name}.' + m.name)\n"
        "for m in pkgutil.iter_modules(amitui.__path__):\n"
        "    if not m.ispkg:\n"
        "        importlib.import_module('amitui.' + m.name)\n"
        "loaded = [m for m in sys.modules if m.startswith('amitui.')]\n"
        "bad = [m for m in sys.modules\n"
        "       if m == 'textual' or m.startswith(('textual.', 'amitui.ui'))]\n"
        "print(bad, len(loaded)); sys.exit(1 if bad or len(loaded) < 20 else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_amitui_list_never_loads_textual():
    """`amitui list` (its --help, and a listing) starts without Textual or the UI's screens:
    the filter engine, columns and file writers it shares with the UI are pure."""
    code = (
        "import sys, contextlib, io\n"
        "from amitui.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['list', '--help'])\n"
        "import amitui.commands.list_images, amitui.commands.list_cached, amitui.ui.view_file\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith(('textual.',\n"
        "       'amitui.ui.app', 'amitui.ui.screens', 'amitui.ui.widgets'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
