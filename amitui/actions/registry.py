"""The registry of actions: a new action is one module that registers its spec.

Registering an action registers its task kind too (:mod:`amitui.tasks.kinds`), so the
store, the poller and the UI know how to follow what it starts. The UI reads the
registry when a screen is built: an action registered before the app starts has its
key (:mod:`amitui.ui.action_keys`), its palette entry, its help line and its form.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from amitui.actions.spec import ActionSpec
from amitui.tasks.kinds import KINDS


class ActionRegistry(Mapping[str, ActionSpec]):
    """Action name -> spec, in registration order (the built-ins: key-map order)."""

    def __init__(self) -> None:
        self._specs: dict[str, ActionSpec] = {}

    def register(self, spec: ActionSpec) -> ActionSpec:
        known = self._specs.get(spec.name)
        if known is not None and known is not spec:
            raise ValueError(f"an action named {spec.name!r} is already registered")
        if spec.task is not None:
            KINDS.register(spec.task)
        self._specs[spec.name] = spec
        return spec

    def unregister(self, name: str) -> None:
        spec = self._specs.pop(name, None)
        if spec is not None and spec.task is not None:
            KINDS.unregister(spec.task.name)

    def __getitem__(self, name: str) -> ActionSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise KeyError(f"unknown action {name!r}; known: {', '.join(self._specs)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)


ACTIONS = ActionRegistry()


def register_action(spec: ActionSpec) -> ActionSpec:
    """Add an action (and its task kind); returns the spec, so a module may write
    ``SPEC = register_action(ActionSpec(...))``."""
    return ACTIONS.register(spec)


def unregister_action(name: str) -> None:
    ACTIONS.unregister(name)


def get_action(name: str) -> ActionSpec:
    """The spec for an action name; KeyError lists the known names."""
    return ACTIONS[name]
