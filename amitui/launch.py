"""The ``amitui`` command: malloc's start-time settings first (``amitui.allocator.relaunch``
starts the process again with them, before anything else is imported), then the CLI."""

from __future__ import annotations


def main() -> int:
    from amitui import allocator

    allocator.relaunch()
    from amitui.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
