"""A toy action in ONE module: what adding an action costs (issue 12).

"Clone" copies the selected image within its own region under a new name, as a task
of its own kind ("toy-clone"), followed by DescribeImages until the copy is available.
Nothing else in amitui names it: :func:`install` registers the spec (and with it the
task kind) and binds its key; the inventory, the palette, help, the footer, the form,
the store, the poller and the task notices then know it. :func:`uninstall` undoes it.
"""

from __future__ import annotations

from collections.abc import Mapping

from amitui.actions import ActionSpec, Field, register_action, unregister_action
from amitui.aws import validators as v
from amitui.tasks.kinds import API_IMAGES, TaskKind
from amitui.ui.action_keys import bind_action_key, unbind_action_key

KEY = "z"


def _source(request: Mapping, response: Mapping, target: str) -> str:
    return f"{request.get('SourceImageId')} (cloned in place)"


TOY = ActionSpec(
    name="toy-clone",
    operation="CopyImage",
    title="Clone image in its region",
    label="Clone",
    summary="Copy the selected image within its own region under a new name.",
    needs_image=True,
    result_key="ImageId",
    task=TaskKind("toy-clone", poll=API_IMAGES, source=_source, refresh="target"),
    image_row="adds",
    client_token=True,
    fields=(
        Field("SourceImageId", "Source image", required=True, prefill="image_id"),
        Field("SourceRegion", "Region", required=True, prefill="region"),
        Field("Name", "Name", required=True, validators=(v.ami_name,)),
    ),
)


def install() -> ActionSpec:
    register_action(TOY)
    bind_action_key(TOY.name, KEY)
    return TOY


def uninstall() -> None:
    unbind_action_key(TOY.name)
    unregister_action(TOY.name)
