"""Writing one top-level key of config.toml (what the app remembers: the columns shown),
keeping everything else the user wrote — comments, order, tables — as it was.

The key's line (or lines, for an array written over several) is replaced in place; a key
not there yet goes just before the first ``[table]``. The file is written whole to a
temporary file beside it and moved over it, so a crash leaves the old or the new file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from pathlib import Path


def toml_value(value: object) -> str:
    """A bool, number, string or list of strings as TOML (JSON strings are TOML strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to config.toml")


def set_top_level(path: Path, key: str, value: object) -> None:
    """Set ``key = value`` at the top level of the TOML file at ``path`` (created if absent).
    Raises ValueError when the file is not valid TOML (it is left untouched)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path} is not valid TOML, not changed: {exc}") from exc
    line = f"{key} = {toml_value(value)}"
    lines = text.splitlines()
    first_table = next((i for i, ln in enumerate(lines) if re.match(r"\s*\[", ln)), len(lines))
    start = next(
        (i for i in range(first_table) if re.match(rf"\s*{re.escape(key)}\s*=", lines[i])), None
    )
    if start is None:
        at = first_table
        while at > 0 and not lines[at - 1].strip():
            at -= 1  # after the last top-level line, before the blank lines
        lines[at:at] = [line]
    else:
        end = start
        # An array written over several lines ends where the text so far parses.
        while end + 1 < first_table and not _parses("\n".join(lines[start : end + 1])):
            end += 1
        lines[start : end + 1] = [line]
    new_text = "\n".join(lines) + "\n"
    tomllib.loads(new_text)  # never write what could not be read back
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(new_text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _parses(text: str) -> bool:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    return True
