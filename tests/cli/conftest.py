"""Fixtures of the command-line suite: ``amitui`` run in-process against the session's
sandbox, with fast task polls (each test's own state and config: tests/conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from amitui import paths
from amitui.cli import main


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


@pytest.fixture
def amitui(sandbox: Any, capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """``amitui("copy", "ami-…", "--to", "eu-west-1")``: main() on the sandbox, in this
    process; tasks are polled every 0.3 s (config.toml)."""
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("poll_interval = 0.3\n")

    def run(*argv: str, endpoint: str | None = None) -> Ran:
        capsys.readouterr()
        code = main([*argv, "--endpoint-url", endpoint or sandbox.url])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


@pytest.fixture
def pending(sandbox: Any) -> Iterator[Callable[[float], None]]:
    """``pending(seconds)``: images stay pending that long for this test (restored after)."""
    before = sandbox.pending_seconds
    yield lambda seconds: setattr(sandbox, "pending_seconds", seconds)
    sandbox.pending_seconds = before


@pytest.fixture
def own_image(ec2: Callable[..., Any]) -> Callable[[str], str]:
    """``own_image(region)``: an available image of the sandbox account there."""

    def pick(region: str = "us-east-1") -> str:
        answer = ec2(region).describe_images(
            Owners=["self"], Filters=[{"Name": "state", "Values": ["available"]}]
        )
        return sorted(i["ImageId"] for i in answer["Images"])[0]

    return pick


def unique(prefix: str = "cli") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
