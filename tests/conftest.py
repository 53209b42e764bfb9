"""Shared fixtures: an isolated AWS environment and the session's sandbox endpoint.

* Every test runs with AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE pointing at
  files that do not exist, no AWS_PROFILE and no endpoint or region variables from
  the user's shell: nothing reads or writes the real ~/.aws.
* Every test keeps amitui's task store, inventory cache and config in a temporary folder
  of its own (``isolated_app_dirs``, autouse, every suite): nothing reads or writes the
  user's real state, cache or config.toml.
* ``sandbox``: one started ``amitui.sandbox.Sandbox`` (seed 7, pending 1 s) for the
  session, with testing credentials and us-east-1 in os.environ.
* ``ec2``: ``ec2(region="us-east-1")`` -> a boto3 EC2 client for the sandbox (one per
  region for the session: a client costs tens of milliseconds to build).
* ``shared_botocore_data`` (autouse): every botocore loader in the test process shares one
  cache of decoded model files (the EC2 model is several megabytes of JSON).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

# Variables that would point boto3 at the user's own AWS setup.
_USER_AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_EC2",
    "AWS_ENDPOINT_URL_S3",
    "AWS_CA_BUNDLE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)


@pytest.fixture(scope="session", autouse=True)
def isolated_aws_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test touches the real user's ~/.aws or inherits their AWS variables."""
    home = tmp_path_factory.mktemp("aws-home")
    with pytest.MonkeyPatch.context() as patch:
        for name in _USER_AWS_VARIABLES:
            patch.delenv(name, raising=False)
        patch.setenv("AWS_CONFIG_FILE", str(home / "missing-config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "missing-credentials"))
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield


@pytest.fixture(scope="session", autouse=True)
def shared_botocore_data() -> Iterator[None]:
    """Every botocore loader made in this test process (a fresh Session makes one) shares
    one cache of the JSON files it decoded: the EC2 service model is decoded once per
    process, not once per Session (about 0.1 s of CPU each). The loaders stay distinct
    objects (amitui/aws/client_classes.py marks a loader, not a process), and they read
    the same files: what a file decodes to does not depend on which loader asked."""
    from tests.support.boto_sessions import sharing_decoded_models

    with pytest.MonkeyPatch.context() as patch:
        sharing_decoded_models(patch)
        yield


@pytest.fixture(autouse=True)
def pilot_waits_on_queues(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot's key presses and pauses wait on the app's queues, not on CPU idleness
    (tests/support/textual_hooks.py)."""
    from tests.support.textual_hooks import pilot_waits_on_queues

    pilot_waits_on_queues(monkeypatch)


@pytest.fixture(autouse=True)
def isolated_app_dirs(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """amitui's state, cache and config directories, in this test's own temporary folder."""
    monkeypatch.setenv("AMITUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("AMITUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("AMITUI_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture(scope="session")
def sandbox(isolated_aws_environment: None) -> Iterator[Any]:
    """The session's sandbox endpoint: seed 7, images pending for 1 s; its first reset
    restores the seeding start() made (tests reset it before they change it)."""
    from amitui.sandbox import Sandbox

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.delenv("AWS_PROFILE", raising=False)
        box = Sandbox(seed=7, pending_seconds=1.0, snapshot_at_start=True).start()
        try:
            yield box
        finally:
            box.stop()


@pytest.fixture(scope="session")
def ec2(sandbox: Any) -> Callable[..., Any]:
    """``ec2(region="us-east-1")``: a boto3 EC2 client pointed at the sandbox."""
    import functools

    import boto3

    @functools.cache
    def make(region: str = "us-east-1") -> Any:
        return boto3.client(
            "ec2",
            region_name=region,
            endpoint_url=sandbox.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return make


def pytest_configure(config: pytest.Config) -> None:
    """Full collections on the suite's schedule (tests/support/suite_gc.py)."""
    from tests.support.suite_gc import SuiteCollector

    config.pluginmanager.register(SuiteCollector(), "amitui_suite_gc")


# -- hypothesis: the slow properties' full example counts under --hypothesis-profile=thorough


def _register_thorough() -> None:
    """``thorough``: tests/support/examples.py's full counts (the default profile runs the
    quick ones); its settings are hypothesis's defaults. Registered as this file is
    imported, before hypothesis's plugin loads a ``--hypothesis-profile``."""
    from hypothesis import settings

    from tests.support.examples import THOROUGH

    settings.register_profile(THOROUGH, settings.get_profile("default"))


_register_thorough()


# -- the slowest tests first, so that the xdist workers finish together ----------------------

#: Tests that take tens of seconds each (a Pilot run through many screens, or one that waits
#: for the sandbox's tasks): started first, they run beside the many short ones instead of
#: after them, where the last of them would keep one worker busy while the other idles.
SLOW_FIRST = (
    "tests/reliability/test_read_only_everything.py::test_every_key_and_command_of_every",
    "tests/sandbox/test_fidelity_fuzz.py::",
    "tests/sandbox/test_partitioned_listing.py::test_throttling",
    "tests/sandbox/test_sandbox_restore.py::",
    "tests/app/test_tasks.py::",
    "tests/reliability/test_bad_input.py::test_the_",
    "tests/reliability/test_bad_input.py::test_whole_forms",
    "tests/reliability/test_safety.py::",
    "tests/reliability/test_faults_tasks.py::",
    "tests/reliability/test_two_processes.py::test_two_processes_follow",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the ``SLOW_FIRST`` tests at the front, in the order listed (stable otherwise)."""

    def rank(item: pytest.Item) -> int:
        for index, prefix in enumerate(SLOW_FIRST):
            if item.nodeid.startswith(prefix):
                return index
        return len(SLOW_FIRST)

    items.sort(key=rank)


# -- the reliability suite's figures (tests/reliability/figures.py), across xdist workers ---


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its figures to the controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        from tests.reliability.figures import FIGURES

        output["amitui_figures"] = FIGURES.as_dict()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """The controller adds up what each worker counted."""
    figures = getattr(node, "workeroutput", {}).get("amitui_figures")
    if figures:
        from tests.reliability.figures import FIGURES

        FIGURES.add(figures)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    import os

    from tests.reliability.figures import FIGURES

    if FIGURES.empty:
        return
    terminalreporter.section("reliability figures")
    for line in FIGURES.lines():
        terminalreporter.write_line(line)
    target = os.environ.get("AMITUI_RELIABILITY_FIGURES")
    if target:
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(FIGURES.to_json() + "\n")
