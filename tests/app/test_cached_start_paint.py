"""A cached start from exec: ``amitui`` paints the cached rows, marked cached, before
anything of boto3, botocore or moto is imported (the cache read and the first frame need
none of it; the listing and the identity load them once the rows are on screen).

The app runs as a user starts it, in a pseudo-terminal, against an endpoint that never
answers; what was imported is read where Textual's driver writes the frames."""

from __future__ import annotations

import contextlib
import json
import os
import select
import sys
import time
from pathlib import Path

import pytest

from amitui.aws.images import Image
from amitui.inventory_cache import InventoryCache

pty = pytest.importorskip("pty")

URL = "http://127.0.0.1:9"  # the discard port: nothing answers there
ACCOUNT = "123456789012"
REGION = "us-east-1"

#: The child: amitui's main, its driver's writes watched. At the first frame with a cached
#: row and at the first with the status line's "cached … ago" it notes the modules loaded.
CHILD = r"""
import json, os, re, sys
from textual.drivers import linux_driver

write = linux_driver.LinuxDriver.write
seen = {"text": ""}
notes = {}

def watched(self, data):
    write(self, data)
    seen["text"] += re.sub(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]", "", data)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore", "moto"))
    if "rows" not in notes and re.search(r"ami-[0-9a-f]{17}", seen["text"]):
        notes["rows"] = loaded
    if "rows" in notes and re.search(r"cached \d", seen["text"]):
        notes["marked"] = loaded
        with open(os.environ["PAINTED"], "w") as out:
            json.dump(notes, out)
        os._exit(0)

linux_driver.LinuxDriver.write = watched
from amitui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def fill_cache(path: Path, count: int) -> None:
    cache = InventoryCache(path)
    images = [
        Image(image_id=f"ami-{i:017x}", region=REGION, name=f"cached-{i}") for i in range(count)
    ]
    cache.save((URL, ACCOUNT, REGION, "self"), images)
    cache.remember_account(URL, None, ACCOUNT)
    cache.close()


def test_the_cached_rows_are_painted_before_boto3_or_botocore_loads(tmp_path: Path) -> None:
    fill_cache(tmp_path / "cache" / "inventory.sqlite3", 3000)
    painted = tmp_path / "painted.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AMITUI_"))}
    env.update(
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=str(tmp_path / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AMITUI_CACHE_DIR=str(tmp_path / "cache"),
        AMITUI_STATE_DIR=str(tmp_path / "state"),
        AMITUI_CONFIG_DIR=str(tmp_path / "config"),
        PAINTED=str(painted),
        TERM="xterm-256color",
    )
    args = [sys.executable, "-c", CHILD, "--endpoint-url", URL]
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the app
        os.execve(args[0], args, env)
    try:
        deadline = time.monotonic() + 120  # (a bound for a broken app, not a timing)
        exited = False
        while not exited and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.1)[0]:
                with contextlib.suppress(OSError):  # (the child is gone)
                    os.read(fd, 1 << 16)  # keep the terminal drained
            exited = os.waitpid(pid, os.WNOHANG)[0] != 0
        assert exited, "the app never painted its cached rows, marked cached"
        pid = 0
    finally:
        if pid:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(fd)
    notes = json.loads(painted.read_text())
    assert notes == {"rows": [], "marked": []}
