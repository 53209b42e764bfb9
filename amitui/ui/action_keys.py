"""The keys that open the actions: the UI's one table (the specs name no key).

An action registered elsewhere (:func:`amitui.actions.register_action`) gets its key
with :func:`bind_action_key`. The inventory binds the registered actions that have a
key; the footer, the palette and help list those bindings, so an action without a key
is not offered anywhere.
"""

from __future__ import annotations

#: Action name -> key, in the inventory's key map (k9s-like single letters; ctrl+d for
#: the destructive one).
ACTION_KEYS: dict[str, str] = {
    "create": "n",
    "copy": "c",
    "export": "e",
    "import": "i",
    "register": "r",
    "deregister": "ctrl+d",
    "usage-report": "U",
    "tags": "T",
    "sharing": "P",
}


def bind_action_key(name: str, key: str) -> None:
    """Give an action its key (refused when another action has the key)."""
    taken = next((n for n, k in ACTION_KEYS.items() if k == key and n != name), None)
    if taken is not None:
        raise ValueError(f"key {key!r} already opens {taken}")
    ACTION_KEYS[name] = key


def unbind_action_key(name: str) -> None:
    ACTION_KEYS.pop(name, None)


def key_for(name: str) -> str | None:
    return ACTION_KEYS.get(name)
