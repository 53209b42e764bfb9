"""glibc's malloc told to hold less: trim gives free memory back, tune keeps big blocks in
their own mappings, relaunch starts the process again without the per-thread cache of freed
blocks. All are no-ops where there is no glibc."""

from __future__ import annotations

import ctypes
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from amitui import allocator

glibc = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="malloc_trim and mallopt are glibc's"
)

MB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]


class MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",  # bytes in blocks mmap'd on their own
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def libc() -> ctypes.CDLL:
    lib = ctypes.CDLL(None)
    lib.malloc.restype = ctypes.c_void_p
    lib.malloc.argtypes = [ctypes.c_size_t]
    lib.free.argtypes = [ctypes.c_void_p]
    lib.mallinfo2.restype = MallInfo2
    return lib


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


#: In a fresh process (a long-lived test worker's heap has holes that would place the blocks
#: anywhere): 64 MB in small blocks (heap, not mmap), written to, then all freed but the one
#: with the highest address, so the free space is a hole below a block in use, which malloc
#: keeps until it is trimmed. Prints RSS before and after trim, in MB.
TRIM = """
import ctypes
from amitui import allocator
from tests.unit.test_allocator import libc, rss_mb
lib = libc()
blocks = [lib.malloc(16 * 1024) for _ in range(4096)]
for block in blocks:
    ctypes.memset(block, 1, 16 * 1024)
pin = max(blocks)
for block in blocks:
    if block != pin:
        lib.free(block)
held = rss_mb()
assert allocator.trim()
print(held, rss_mb())
lib.free(pin)
"""


def run_fresh(program: str, *args: str, tunables: str | None = None) -> str:
    """``program``'s output in a fresh process, with ``tunables`` as its only GLIBC_TUNABLES."""
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    if tunables is not None:
        env["GLIBC_TUNABLES"] = tunables
    return subprocess.run(
        [sys.executable, "-c", program, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=60,
    ).stdout.strip()


@glibc
def test_trim_gives_back_the_free_memory_malloc_holds():
    held, trimmed = map(float, run_fresh(TRIM).split())
    assert trimmed < held - 48  # most of the 64 MB went back


#: In a fresh process (malloc's heap is the same every run): how a 1 MB block is placed after
#: an 8 MB one was freed, with or without tune (argv[1]).
PLACEMENT = """
import ctypes, sys
from amitui import allocator
from tests.unit.test_allocator import libc, MB
lib = libc()
if sys.argv[1] == "tune":
    assert allocator.tune()
lib.free(lib.malloc(8 * MB))  # raises glibc's own threshold to 8 MB, unless tuned
before = lib.mallinfo2().hblkhd
block = lib.malloc(MB)
mapped = lib.mallinfo2().hblkhd - before
lib.free(block)
print(mapped, lib.mallinfo2().hblkhd - before)
"""


def placement(how: str) -> tuple[int, int]:
    """Bytes mapped on their own while the 1 MB block lives, and after it is freed."""
    mapped, after = run_fresh(PLACEMENT, how).split()
    return int(mapped), int(after)


@glibc
def test_after_tune_a_big_block_gets_its_own_mapping_given_back_when_freed():
    mapped, after = placement("tune")
    assert mapped >= MB and after == 0  # its own pages, unmapped when freed
    assert placement("untuned") == (0, 0)  # glibc alone: in the heap, held when freed


def test_elsewhere_both_are_no_ops(monkeypatch):
    monkeypatch.setattr(allocator.sys, "platform", "darwin")
    assert allocator.trim() is False
    assert allocator.tune() is False


#: In a fresh process: relaunch (the amitui command's first step), then whether 7 freed
#: blocks of 600 bytes stay counted as in use (held in the thread's cache, which takes 7 of
#: a size) or go back to the heap. The cache's bin for that size is emptied first (7 blocks
#: taken from it), so it has room for all 7.
CACHE = """
import os
from amitui import allocator
from tests.unit.test_allocator import libc
allocator.relaunch()
lib = libc()
drain = [lib.malloc(600) for _ in range(7)]
blocks = [lib.malloc(600) for _ in range(7)]
before = lib.mallinfo2().uordblks
for block in blocks:
    lib.free(block)
released = before - lib.mallinfo2().uordblks
for other in drain:
    lib.free(other)
kept = "freed" if released >= 7 * 600 else "held" if released == 0 else f"released {released}"
print(os.environ.get("GLIBC_TUNABLES", ""), kept)
"""


@glibc
def test_relaunch_starts_the_process_again_without_the_per_thread_cache():
    assert run_fresh(CACHE) == "glibc.malloc.tcache_count=0 freed"
    # other settings of the user's are kept, ours added
    assert run_fresh(CACHE, tunables="glibc.malloc.check=0") == (
        "glibc.malloc.check=0:glibc.malloc.tcache_count=0 freed"
    )
    # the user's own tcache setting stands: no relaunch, glibc's cache holds the block
    assert run_fresh(CACHE, tunables="glibc.malloc.tcache_count=7") == (
        "glibc.malloc.tcache_count=7 held"
    )


#: The amitui command's entry (pyproject's console script), asked for its version: what
#: GLIBC_TUNABLES it ran with (argparse's --version ends it with SystemExit).
LAUNCH = """
import os
from importlib.metadata import entry_points
(script,) = entry_points(group="console_scripts", name="amitui")
main = script.load()
try:
    main()
except SystemExit:
    pass
print(script.value, os.environ.get("GLIBC_TUNABLES"))
"""


@glibc
def test_the_amitui_command_relaunches_then_runs():
    version, launched = run_fresh(LAUNCH, "--version").splitlines()
    assert version.startswith("amitui ")
    assert launched == "amitui.launch:main glibc.malloc.tcache_count=0"


def test_glibc_is_not_assumed_where_it_cannot_be_asked(monkeypatch):
    monkeypatch.delattr(allocator.os, "confstr")  # Windows
    assert allocator.is_glibc() is False

    def unknown(name: str) -> str:
        raise ValueError(f"unrecognized configuration name {name}")

    monkeypatch.setattr(allocator.os, "confstr", unknown, raising=False)  # macOS
    assert allocator.is_glibc() is False


def test_relaunch_execs_once_even_where_glibc_drops_the_tunable(monkeypatch):
    """A setuid or setcap Python runs in glibc's secure mode, which removes the tunable
    from the new process's environment: the relaunch must not start it again, forever."""
    monkeypatch.setattr(allocator, "is_glibc", lambda: True)
    monkeypatch.setattr(allocator.sys, "orig_argv", ["python", "-m", "amitui"])
    execs: list[list[str]] = []

    def secure_exec(path: str, argv: list[str], env: dict[str, str]) -> None:
        execs.append(argv)
        assert len(execs) < 3, "exec'd again and again"
        env.pop("GLIBC_TUNABLES")  # what glibc does in secure mode
        allocator.relaunch(env, secure_exec)  # the new process starts

    allocator.relaunch({}, secure_exec)
    assert execs == [["python", "-m", "amitui"]]


def test_relaunch_is_skipped_without_glibc_and_survives_a_failed_exec(monkeypatch):
    monkeypatch.setattr(allocator.sys, "orig_argv", ["python", "-m", "amitui"])
    calls: list[tuple[str, list[str], dict[str, str]]] = []
    monkeypatch.setattr(allocator, "is_glibc", lambda: False)
    environ: dict[str, str] = {}
    allocator.relaunch(environ, lambda path, argv, env: calls.append((path, argv, env)))
    assert calls == [] and environ == {}

    def refuse(path: str, argv: list[str], env: dict[str, str]) -> None:
        calls.append((path, argv, env))
        raise OSError("no such file")

    monkeypatch.setattr(allocator, "is_glibc", lambda: True)
    for before in ({}, {"GLIBC_TUNABLES": "glibc.malloc.check=0"}):
        environ = dict(before)
        calls.clear()
        allocator.relaunch(environ, refuse)
        ((path, argv, during),) = calls  # tried once, with the tunable
        assert (path, argv) == (sys.executable, ["python", "-m", "amitui"])
        assert during["GLIBC_TUNABLES"].endswith("glibc.malloc.tcache_count=0")
        assert environ == before  # this process's environment as it was
