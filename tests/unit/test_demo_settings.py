"""`amitui --demo` ignores the user's profile, regions and endpoint (config file and env)."""

from __future__ import annotations

import os
from contextlib import contextmanager

from amitui import cli
from amitui.settings import DEFAULT_REGION

SANDBOX_URL = "http://127.0.0.1:4567"


class _Started:
    """What cli.main hands to make_app, instead of running a terminal app."""

    def __init__(self) -> None:
        self.settings = None

    def make_app(self, settings):
        self.settings = settings
        return self

    def run(self) -> None:
        pass


def _run_demo(monkeypatch, argv=("--demo",)):
    started = _Started()

    @contextmanager
    def fake_sandbox():
        yield SANDBOX_URL

    monkeypatch.setattr(cli, "demo_sandbox", fake_sandbox)
    monkeypatch.setattr(cli, "make_app", started.make_app)
    assert cli.main(list(argv)) == 0
    return started.settings


def test_the_demo_ignores_a_hostile_config_file_and_environment(
    isolated_app_dirs,
    monkeypatch,
):
    config = isolated_app_dirs / "config"
    config.mkdir()
    (config / "config.toml").write_text(
        'profile = "prod"\nregions = ["ap-south-1"]\nendpoint_url = "https://ec2.prod.example"\n'
        "read_only = true\n"
    )
    monkeypatch.setenv("AWS_PROFILE", "prod-env")
    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "prod-env")
    monkeypatch.setenv("AWS_REGION", "ap-south-2")
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", "https://ec2.env.example")
    settings = _run_demo(monkeypatch)
    assert settings.demo
    assert settings.profile is None
    assert settings.endpoint_url == SANDBOX_URL
    assert settings.regions == (DEFAULT_REGION,)
    assert settings.read_only  # the rest of the config file still counts

    assert "AWS_PROFILE" not in os.environ and "AWS_DEFAULT_PROFILE" not in os.environ


def test_without_the_demo_the_same_config_file_counts(isolated_app_dirs, monkeypatch):
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):  # (the sandbox sets some)
        monkeypatch.delenv(name, raising=False)
    config = isolated_app_dirs / "config"
    config.mkdir()
    (config / "config.toml").write_text('profile = "prod"\nregions = ["ap-south-1"]\n')
    started = _Started()
    monkeypatch.setattr(cli, "make_app", started.make_app)
    assert cli.main([]) == 0
    assert (started.settings.profile, started.settings.regions) == ("prod", ("ap-south-1",))


def test_the_demo_keeps_a_region_flag(isolated_app_dirs, monkeypatch):
    settings = _run_demo(monkeypatch, ("--demo", "--region", "eu-west-1"))
    assert settings.regions == ("eu-west-1",)


def test_help_says_what_the_demo_ignores(capsys):
    help_text = " ".join(cli.build_parser().format_help().split())
    assert "ignores the profile, regions and endpoint of the config file and the environment" in (
        help_text
    )
