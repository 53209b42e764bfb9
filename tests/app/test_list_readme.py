"""The README's Scripting examples, run as a shell runs them against the sandbox: every
`amitui list` line exits 0, and each `| jq` example prints what the same expression
computes in Python from the JSON Lines (the shape the README promises). Where jq is not
installed, the Python side alone proves the shape, and the test says so."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

#: Each jq example of the README: the listing's regions, and the same question in Python.
JQ = {
    'amitui list --format json | jq -r \'select(.Architecture == "arm64") | .ImageId + "\\t" + '
    ".Name'": lambda objs: "".join(
        f"{o['ImageId']}\t{o['Name']}\n" for o in objs if o["Architecture"] == "arm64"
    ),
    "amitui list --format json --region us-east-1 --region eu-west-1 | jq -s 'group_by(.Region)"
    " | map({region: .[0].Region, images: length})'": lambda objs: [
        {"region": region, "images": count}
        for region, count in sorted(Counter(o["Region"] for o in objs).items())
    ],
    "amitui list --format json | jq -r '.BlockDeviceMappings[]?.Ebs.SnapshotId // empty' | "
    "sort -u": lambda objs: "".join(
        f"{s}\n"
        for s in sorted(
            {
                b["Ebs"]["SnapshotId"]
                for o in objs
                for b in o.get("BlockDeviceMappings") or ()
                if b.get("Ebs", {}).get("SnapshotId")
            }
        )
    ),
}


def readme_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Scripting", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    return [line for line in block.splitlines() if line.startswith("amitui list")]


def shell(line: str, url: str, cwd: pathlib.Path) -> subprocess.CompletedProcess[str]:
    """``line`` in bash (pipefail), ``amitui`` being this checkout's command line."""
    amitui = f"amitui() {{ {sys.executable} -c 'import sys; from amitui.cli import main; "
    amitui += 'sys.exit(main(sys.argv[1:]))\' "$@"; }'
    env = dict(os.environ, AWS_ENDPOINT_URL_EC2=url, LC_ALL="C", PYTHONPATH=str(ROOT))
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{amitui}; {line}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def objects(line: str, url: str, cwd: pathlib.Path) -> list[dict[str, Any]]:
    """What the example's `amitui list` part prints, read as JSON Lines."""
    result = shell(line.split(" | ", 1)[0], url, cwd)
    assert result.returncode == 0, result.stderr
    return [json.loads(row) for row in result.stdout.splitlines()]


def test_the_readme_lists_the_examples_this_test_knows():
    lines = readme_examples()
    assert {line for line in lines if "| jq" in line} == set(JQ)
    assert len(lines) >= 6


def test_every_example_runs(sandbox, tmp_path):
    for line in readme_examples():
        if "| jq" in line:
            continue
        result = shell(line, sandbox.url, tmp_path)
        assert result.returncode == 0, (line, result.stderr)
        assert result.stdout or (tmp_path / "images.csv").stat().st_size, line


@pytest.mark.parametrize("line", list(JQ))
def test_jq_examples(sandbox, tmp_path, line):
    if shutil.which("jq") is None:
        objs = objects(line, sandbox.url, tmp_path)
        assert objs and JQ[line](objs)  # the example answers something
        pytest.skip("jq is not installed: the shape was checked in Python only")
    # The example as written, once: what its `amitui list` part prints is also kept (tee)
    # for the Python side, so one listing feeds both.
    listing, rest = line.split(" | ", 1)
    result = shell(f"{listing} | tee listed.jsonl | {rest}", sandbox.url, tmp_path)
    assert result.returncode == 0, result.stderr
    listed = (tmp_path / "listed.jsonl").read_text(encoding="utf-8")
    objs = [json.loads(row) for row in listed.splitlines()]
    expected = JQ[line](objs)
    assert objs and expected  # the example answers something
    got = json.loads(result.stdout) if isinstance(expected, list) else result.stdout
    assert got == expected
