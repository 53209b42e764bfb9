"""What each action declares about the task it starts, and how tasks use it.

The kinds come from the action modules (amitui.actions registers them): nothing in
amitui.tasks, amitui.aws or amitui.ui names an action.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from amitui.actions import ACTIONS, ActionSpec
from amitui.aws.execute import CallResult
from amitui.tasks.kinds import KINDS, Cancel, TaskKind, kind_of
from amitui.tasks.model import Task
from amitui.tasks.service import TaskService
from amitui.tasks.store import TaskStore

IMAGE = "ami-0123456789abcdef0"


def test_each_action_declares_its_task_poll_group_cancel_and_row() -> None:
    declared = {
        name: (
            spec.needs_image,
            spec.result_key,
            spec.image_row,
            spec.task and spec.task.poll,
            spec.task and spec.task.cancel is not None,
            spec.task and spec.task.cancel is not None and spec.task.cancel.deregisters,
            spec.task and spec.task.refresh,
        )
        for name, spec in ACTIONS.items()
    }
    assert declared == {
        "create": (False, "ImageId", "adds", "images", True, True, "target"),
        "copy": (True, "ImageId", "adds", "images", True, True, "target"),
        "export": (True, "ExportImageTaskId", None, "export", True, False, None),
        "import": (False, "ImportTaskId", None, "import", True, False, "result"),
        "register": (False, "ImageId", "adds", "images", False, False, "target"),
        "deregister": (True, None, "removes", None, None, None, None),
        "usage-report": (True, "ReportId", None, "usage-report", False, False, None),
        "deprecate": (True, None, "refreshes", None, None, None, None),
        "undeprecate": (True, None, "refreshes", None, None, None, None),
        "protect": (True, None, "refreshes", None, None, None, None),
        "unprotect": (True, None, "refreshes", None, None, None, None),
        "disable": (True, None, "refreshes", None, None, None, None),
        "enable": (True, None, "refreshes", None, None, None, None),
        "tags": (True, None, "refreshes", None, None, None, None),
        "description": (True, None, "refreshes", None, None, None, None),
        "sharing": (True, None, "refreshes", None, None, None, None),
        "leave-shared": (True, None, "removes", None, None, None, None),
    }
    assert KINDS.names() == ("create", "copy", "export", "import", "register", "usage-report")
    assert [n for n, s in ACTIONS.items() if s.task and s.task.snapshot_progress] == [
        "create",
        "copy",
    ]
    assert [n for n, s in ACTIONS.items() if s.shows_image or s.warn] == [
        "deregister",
        "usage-report",
        "deprecate",
        "disable",
        "tags",
        "sharing",
        "leave-shared",
    ]


@pytest.mark.parametrize(
    ("name", "request_", "response", "source", "task_name", "image_id"),
    [
        (
            "copy",
            {"SourceImageId": IMAGE, "SourceRegion": "us-east-1", "Name": "web-copy"},
            {"ImageId": "ami-new"},
            f"{IMAGE} (us-east-1)",
            "web-copy",
            "",
        ),
        ("create", {"InstanceId": "i-1", "Name": "web"}, {}, "i-1", "web", ""),
        (
            "register",
            {"Name": "r", "BlockDeviceMappings": [{"Ebs": {"SnapshotId": "snap-1"}}]},
            {},
            "snap-1",
            "r",
            "",
        ),
        (
            "export",
            {
                "ImageId": IMAGE,
                "DiskImageFormat": "VMDK",
                "S3ExportLocation": {"S3Bucket": "b", "S3Prefix": "p/"},
                "Description": "nightly",
            },
            {"DiskImageFormat": "RAW"},  # the answer's format wins: it is what AWS writes
            f"{IMAGE} → s3://b/p/export-ami-1.raw",
            "nightly",
            IMAGE,
        ),
        (
            "import",
            {"DiskContainers": [{"UserBucket": {"S3Bucket": "b", "S3Key": "d.ova"}}]},
            {},
            "s3://b/d.ova",
            "",
            "",
        ),
    ],
)
def test_a_kind_records_source_name_and_image(
    name, request_, response, source, task_name, image_id
) -> None:
    fields = kind_of(name).record("eu-west-1", request_, response, "export-ami-1")
    assert fields == {
        "kind": name,
        "region": "eu-west-1",
        "target_id": "export-ami-1",
        "source": source,
        "name": task_name,
        "image_id": image_id,
    }


def test_the_row_to_refresh_when_a_task_ends() -> None:
    copy, imp, export = kind_of("copy"), kind_of("import"), kind_of("export")
    assert copy.image_to_refresh("ami-1", "", done=True) == "ami-1"
    assert copy.image_to_refresh("ami-1", "", done=False) == "ami-1"  # a failed copy too
    assert imp.image_to_refresh("import-ami-1", "ami-2", done=True) == "ami-2"
    assert imp.image_to_refresh("import-ami-1", "", done=False) is None
    assert export.image_to_refresh("export-ami-1", IMAGE, done=True) is None


def test_cancellable_follows_the_kinds_cancel_states() -> None:
    def task(kind: str, aws_state: str = "", **kw) -> Task:
        return Task(1, "s", kind, "us-east-1", "x", aws_state=aws_state, **kw)

    assert task("copy").cancellable and task("copy", "pending").cancellable
    assert not task("copy", "available").cancellable  # only a pending image is deregistered
    assert task("export", "active").cancellable and task("import", "converting").cancellable
    assert not task("register", "pending").cancellable  # register declares no cancel
    assert not task("export", "active", cancel_requested=True).cancellable
    assert not task("launch").cancellable  # no action registered it


def test_the_registries_refuse_a_second_meaning_for_a_name() -> None:
    with pytest.raises(ValueError, match="already registered"):
        KINDS.register(TaskKind("copy", poll="export", source=lambda *_: ""))
    with pytest.raises(ValueError, match="already registered"):
        ACTIONS.register(ActionSpec(name="copy", operation="CopyImage", title="x", fields=()))
    with pytest.raises(ValueError, match="unknown task kind"):
        kind_of("launch")
    with pytest.raises(ValueError, match="poll group"):
        TaskKind("toy", poll="instances", source=lambda *_: "")
    with pytest.raises(ValueError, match="result_key"):
        ActionSpec(
            name="toy",
            operation="CopyImage",
            title="x",
            fields=(),
            task=TaskKind("toy", poll="images", source=lambda *_: ""),
        )
    assert Cancel(lambda *_: None).states is None  # any state, unless the kind says


class _Identity:
    account = "111111111111"


class _Clients:
    endpoint_url = "http://127.0.0.1:1"

    def identity(self) -> _Identity:
        return _Identity()


def test_the_service_records_only_what_a_successful_call_started(tmp_path: Path) -> None:
    updates: list[tuple[str | None, int]] = []
    store = TaskStore(tmp_path / "tasks.sqlite3")
    service = TaskService(
        _Clients(),
        store,
        60.0,
        on_update=lambda task, running: updates.append((task and task.target_id, running)),
    )
    service.scope = service._scope_of("111111111111")
    copy = ACTIONS["copy"].task
    request = {"SourceImageId": IMAGE, "SourceRegion": "us-east-1", "Name": "c"}

    def result(**kw) -> CallResult:
        return CallResult("eu-west-1", "CopyImage", request, result_key="ImageId", **kw)

    assert service.record(None, result(response={"ImageId": "ami-new"})) is None
    assert service.record(copy, result(error="denied", code="UnauthorizedOperation")) is None
    assert service.record(copy, result(response={})) is None  # no id: nothing to follow
    assert service.record(copy, result(response={"ImageId": "ami-x"}, dry_run=True)) is None
    assert store.list_tasks(service.scope) == [] and updates == []
    try:
        task = service.record(copy, result(response={"ImageId": "ami-new"}))
        assert task is not None and (task.kind, task.target_id) == ("copy", "ami-new")
        assert [t.id for t in store.list_tasks(service.scope)] == [task.id]
        assert updates[0] == ("ami-new", 1)  # told, with the running count
    finally:
        service.stop()
        store.close()


def test_a_demo_ends_what_an_earlier_demo_left_running(tmp_path: Path) -> None:
    """Each --demo starts a fresh sandbox: an earlier demo's running tasks end cancelled,
    saying why, instead of failing as "no longer exists"; other scopes are untouched."""
    from amitui.tasks.model import DEMO_ENDPOINT, make_scope
    from amitui.tasks.service import DEMO_ENDED

    store = TaskStore(tmp_path / "tasks.sqlite3")
    account = "111111111111"
    demo_scope = make_scope(None, account, DEMO_ENDPOINT)
    real_scope = make_scope("https://ec2.example", account)
    left = store.add_task(scope=demo_scope, kind="copy", region="us-east-1", target_id="ami-1")
    done = store.add_task(
        scope=demo_scope, kind="copy", region="us-east-1", target_id="ami-2", status="done"
    )
    real = store.add_task(scope=real_scope, kind="copy", region="us-east-1", target_id="ami-3")
    service = TaskService(_Clients(), store, 60.0, demo=True)
    try:
        service.start(account)
        assert service.scope == demo_scope
        ended = store.get(left.id)
        assert ended is not None and (ended.status, ended.message) == ("cancelled", DEMO_ENDED)
        assert store.get(done.id) == done  # finished tasks are history, untouched
        assert store.get(real.id) == real  # another endpoint's task is not the demo's
    finally:
        service.stop()
