"""The user's key remapping: config.toml's ``[keys]`` table, checked against every binding id.

Every binding in amitui's screens and widgets has an id (tests/unit/test_keymap.py says so);
``[keys]`` maps an id to a comma-separated key list (``refresh = "ctrl+r,f5"``), and the app
passes what is valid to ``App.set_keymap``. Several screens may share an id when the binding
means the same there (``back``, ``copy_id``): one entry remaps it everywhere.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import KEY_NAME_REPLACEMENTS, Keys, key_to_character

import amitui.ui

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_NAMED_KEYS = frozenset(key.value for key in Keys)
_CHARACTER_NAMES = frozenset(KEY_NAME_REPLACEMENTS.values())


@dataclass(frozen=True, slots=True)
class KeyBinding:
    """One remappable binding: its id, default keys, what it does and where."""

    id: str
    keys: str
    description: str
    where: str


def ui_classes() -> Iterator[type[DOMNode]]:
    """Every screen, widget and the app class defined in amitui.ui (imported here)."""
    for info in pkgutil.walk_packages(amitui.ui.__path__, "amitui.ui."):
        importlib.import_module(info.name)
    seen: set[type] = set()
    todo: list[type[DOMNode]] = [DOMNode]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    yield from sorted(
        (c for c in seen if c.__module__.startswith("amitui.ui.")),
        key=lambda c: (c.__module__, c.__qualname__),
    )


def ui_bindings() -> Iterator[tuple[type[DOMNode], Binding]]:
    """Every Binding declared by a class in amitui.ui (its own BINDINGS, not inherited ones)."""
    for cls in ui_classes():
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding):
                yield cls, binding
            else:  # a tuple form
                yield cls, Binding(*binding)


def remappable() -> dict[str, KeyBinding]:
    """Binding id -> its defaults, in declaration order (the first declaration describes it).
    The inventory's action keys are made per instance, so they are added here by name."""
    from amitui.ui.screens.inventory import InventoryScreen
    from amitui.ui.screens.inventory_actions import action_key_bindings

    found: dict[str, KeyBinding] = {}
    declared = list(ui_bindings())
    declared += [(InventoryScreen, binding) for binding in action_key_bindings(False)]
    for cls, binding in declared:
        if not binding.id:
            continue
        first = found.get(binding.id)
        where = f"{first.where}, {cls.__name__}" if first else cls.__name__
        found[binding.id] = KeyBinding(
            binding.id,
            first.keys if first else binding.key,
            first.description if first else binding.description,
            where,
        )
    return found


def key_problem(key: str) -> str | None:
    """Why ``key`` (one key, e.g. ``ctrl+r``, ``f5``, ``?``, ``question_mark``) is not one
    Textual can deliver, or None."""
    if not key:
        return "an empty key"
    *modifiers, base = key.split("+")
    unknown = [m for m in modifiers if m not in MODIFIERS]
    if unknown:
        return f"{'+'.join(unknown)} is not a modifier ({', '.join(sorted(MODIFIERS))})"
    # One character, a named key (f5, pageup, escape) or a character's name (question_mark).
    if len(base) == 1 or base in _NAMED_KEYS or base in _CHARACTER_NAMES:
        return None
    if key_to_character(base) is not None:
        return None
    return f"{base!r} is not a key name"


def check_keymap(
    keys: Mapping[str, object], known: Mapping[str, KeyBinding] | None = None
) -> tuple[dict[str, str], list[str]]:
    """The valid part of a ``[keys]`` table and one warning line per invalid entry."""
    known = remappable() if known is None else known
    keymap: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, value in keys.items():
        if binding_id not in known:
            warnings.append(f"[keys] {binding_id}: no binding has this id (see amitui --help)")
            continue
        if not isinstance(value, str):
            warnings.append(f'[keys] {binding_id}: give the keys as a string, e.g. "ctrl+r,f5"')
            continue
        parts = [part.strip() for part in value.split(",")]
        problems = [p for p in (key_problem(part) for part in parts) if p]
        if problems:
            warnings.append(f"[keys] {binding_id} = {value!r}: {problems[0]}; default kept")
            continue
        keymap[binding_id] = ",".join(parts)
    return keymap, warnings


def keys_help(keys: Mapping[str, object]) -> str:
    """The ``[keys]`` section of ``amitui --help``: every id with its effective keys."""
    known = remappable()
    keymap, _ = check_keymap(keys, known)
    lines = []
    for binding in known.values():
        effective = keymap.get(binding.id, binding.keys)
        mark = " (remapped)" if binding.id in keymap else ""
        lines.append(
            f"  {binding.id:<20} {effective:<22} {binding.description or '-'}"
            f" [{binding.where}]{mark}"
        )
    return "\n".join(lines)
