"""`python -m amitui.sandbox` as a separate process: URL first, serves, stops on signals."""

from __future__ import annotations

import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest

from amitui.sandbox import cli

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")


def first_line(process: subprocess.Popen, timeout: float) -> str:
    """The first stdout line, or fail if it does not come within ``timeout`` seconds."""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError(f"no URL on stdout within {timeout} s")
        return process.stdout.readline().strip()


@contextmanager
def served(*args: str) -> Iterator[tuple[subprocess.Popen, str, float]]:
    """Start the sandbox CLI; yield (process, url, seconds until the URL came)."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "amitui.sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = first_line(process, timeout=60.0)  # a hang, not a speed claim
        yield process, url, time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def page_own_images(url: str) -> list[list[str]]:
    pages = []
    for region in REGIONS:
        client = boto3.client("ec2", region_name=region, endpoint_url=url)
        paginator = client.get_paginator("describe_images")
        for page in paginator.paginate(Owners=["self"], PaginationConfig={"PageSize": 50}):
            pages.append([image["ImageId"] for image in page["Images"]])
    return pages


def test_the_cli_prints_its_url_first_and_pages_300_own_images(sandbox):
    with served("--port", "0", "--pending-seconds", "0.5") as (process, url, _):
        assert url.startswith("http://127.0.0.1:")
        pages = page_own_images(url)
        ids = [image_id for page in pages for image_id in page]
        assert len(ids) >= 300
        assert len(pages) >= 7
        assert all(len(page) <= 50 for page in pages)
        assert len(ids) == len(set(ids))
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_the_seed_decides_the_catalogue_and_sigint_stops_it(sandbox):
    with served("--seed", "8") as (process, url, _):
        other = boto3.client("ec2", region_name="ap-southeast-2", endpoint_url=url)
        ours = boto3.client("ec2", region_name="ap-southeast-2", endpoint_url=sandbox.url)
        other_names = {i["Name"] for i in other.describe_images(Owners=["self"])["Images"]}
        our_names = {i["Name"] for i in ours.describe_images(Owners=["self"])["Images"]}
        assert len(other_names) >= 50
        assert other_names != our_names
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


def test_bad_arguments_are_refused_before_anything_starts(capsys):
    assert cli.main(["--pending-seconds", "-1"]) == 2
    assert "pending-seconds" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        cli.main(["--port", "not-a-number"])
    assert info.value.code == 2
