"""The image actions: one module per action, each registering its :class:`ActionSpec`.

``ACTIONS`` maps the action name to its spec, in key-map order (create, copy, export,
import, register, deregister: the order of the imports below). Required fields and
enum choices agree with botocore's EC2 model (tests/unit/test_action_specs.py compares
them); where a form is stricter than the API it says why in the field's help.

A new action is one new module that calls :func:`register_action` (and, for a key, one
line in :mod:`amitui.ui.action_keys`, or ``bind_action_key`` from the module itself).
"""

from amitui.actions.registry import ACTIONS, get_action, register_action, unregister_action
from amitui.actions.spec import FORM_ERROR, ActionSpec, Field

# The built-ins register themselves on import, in this (key-map) order.
# isort: off
from amitui.actions import create, copy, export, import_, register, deregister
from amitui.actions import usage_report
from amitui.actions import deprecation, protection, availability, tags, description, sharing
from amitui.actions import leave_shared
# isort: on

__all__ = [
    "ACTIONS",
    "FORM_ERROR",
    "ActionSpec",
    "Field",
    "availability",
    "copy",
    "create",
    "deprecation",
    "deregister",
    "description",
    "export",
    "get_action",
    "import_",
    "leave_shared",
    "protection",
    "register",
    "register_action",
    "sharing",
    "tags",
    "unregister_action",
    "usage_report",
]
