"""DESIGN.md: amitui.aws never imports Textual; amitui.ui never imports boto3/botocore."""

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2] / "amitui"


def test_aws_loads_without_textual():
    code = (
        "import sys, importlib, pkgutil, amitui.aws as pkg\n"
        "for m in pkgutil.iter_modules(pkg.__path__):\n"
        "    importlib.import_module('amitui.aws.' + m.name)\n"
        "import amitui.store, amitui.settings\n"
        "bad = [m for m in sys.modules\n"
        "       if m == 'textual' or m.startswith(('textual.', 'amitui.ui'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_ui_never_imports_boto():
    offenders = [
        (str(p.relative_to(ROOT)), m)
        for p in (ROOT / "ui").rglob("*.py")
        for m in imported_modules(p)
        if m.split(".")[0] in ("boto3", "botocore")
    ]
    assert offenders == []


def test_aws_and_sandbox_never_import_ui():
    offenders = [
        (str(p.relative_to(ROOT)), m)
        for folder in ("aws", "sandbox")
        for p in (ROOT / folder).rglob("*.py")
        for m in imported_modules(p)
        if m.split(".")[0] == "textual" or m.startswith("amitui.ui")
    ]
    assert offenders == []
