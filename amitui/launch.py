"""The ``amitui`` command: malloc's start-time settings first (``amitui.allocator.relaunch``
starts the process again with them, before the CLI and the app are imported), then the CLI.
``GLIBC_TUNABLES=glibc.malloc.tcache_count=7`` (glibc's own) in the environment runs it
without that."""

from __future__ import annotations


def main() -> int:
    from amitui import allocator

    allocator.relaunch()
    from amitui.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
