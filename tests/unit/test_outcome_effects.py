"""What a form's outcome does to the inventory (amitui/ui/screens/inventory_actions.py),
read without a screen: the row removed is the one the request named, every call is
reported, and only images in the answer are fetched again."""

from __future__ import annotations

from amitui.actions import ACTIONS
from amitui.aws.execute import CallResult
from amitui.ui.screens.action_form import FormOutcome
from amitui.ui.screens.inventory_actions import outcome_effects


def outcome(name: str, *results: CallResult) -> FormOutcome:
    return FormOutcome(ACTIONS[name], {}, list(results), None)


def test_deregister_removes_the_row_its_request_named_and_reports_each_snapshot():
    answer = {
        "DeleteSnapshotResults": [
            {"SnapshotId": "snap-1", "ReturnCode": "success"},
            {"SnapshotId": "snap-2", "ReturnCode": "error-generic"},
        ]
    }
    done = CallResult("eu-west-1", "DeregisterImage", {"ImageId": "ami-0abc"}, answer)
    effects = outcome_effects(outcome("deregister", done))
    assert effects.removed == ("ami-0abc", "eu-west-1")
    (toast,) = effects.toasts
    assert toast.text.splitlines() == [
        "Deregister image done: ami-0abc",
        "snap-1: success",
        "snap-2: error generic",
    ]
    assert effects.fetch == {}


def test_a_snapshot_left_behind_makes_the_toast_a_warning_that_stays():
    done = CallResult(
        "us-east-1",
        "DeregisterImage",
        {"ImageId": "ami-0abc"},
        {"Return": True},
        notes=("snap-1: STILL EXISTS (the endpoint did not delete it)",),
    )
    (toast,) = outcome_effects(outcome("deregister", done)).toasts
    assert (toast.severity, toast.timeout) == ("warning", 20)
    assert "snap-1: STILL EXISTS" in toast.text


def test_copies_are_reported_per_region_and_their_new_images_fetched():
    spec = ACTIONS["copy"]
    results = [
        CallResult(r, "CopyImage", {}, {"ImageId": i}, result_key=spec.result_key)
        for r, i in (("us-east-1", "ami-1"), ("eu-west-1", "ami-2"))
    ]
    effects = outcome_effects(outcome("copy", *results))
    assert effects.removed is None
    assert [t.text for t in effects.toasts] == [
        f"{spec.title} started: ami-1 in us-east-1",
        f"{spec.title} started: ami-2 in eu-west-1",
    ]
    assert effects.fetch == {"us-east-1": ["ami-1"], "eu-west-1": ["ami-2"]}


def test_a_planned_action_is_one_toast_naming_its_calls_and_refreshes_the_form_s_image():
    from amitui.aws.images import Image

    image = Image("ami-0abc", "us-east-1")
    resources = {"Resources": ["ami-0abc"], "Tags": []}
    create = CallResult("us-east-1", "CreateTags", resources, {})
    delete = CallResult("us-east-1", "DeleteTags", resources, {})
    effects = outcome_effects(FormOutcome(ACTIONS["tags"], {}, [create, delete], image))
    (toast,) = effects.toasts
    assert toast.text == "Edit tags: done in us-east-1 (CreateTags, DeleteTags)"
    assert effects.fetch == {"us-east-1": ["ami-0abc"]}  # the row the form was fixed to
