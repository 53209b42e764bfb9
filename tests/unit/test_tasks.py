"""Reading AWS answers into task states (pure), and the NotFound-splitting batch logic."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import amitui.actions  # noqa: F401 (the built-in actions register their task kinds)
from amitui.tasks.calls import (
    describe_batched,
    is_missing_error,
    list_active_transfers,
    pending_image_progress,
    weighted_progress,
)
from amitui.tasks.model import (
    DEMO_ENDPOINT,
    Task,
    api_for,
    export_object_url,
    interpret_export,
    interpret_image,
    interpret_import,
    make_scope,
    progress_of,
    scope_parts,
)

NOW = 1_700_000_000.0


def task(kind: str = "copy", age: float = 600.0, **kw) -> Task:
    return Task(
        id=1,
        scope="aws|1",
        kind=kind,
        region="us-east-1",
        target_id=kw.pop("target_id", "ami-0123456789abcdef0"),
        created_at=NOW - age,
        **kw,
    )


def client_error(code: str, message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "DescribeImages")


# scope and kinds ---------------------------------------------------------------------------


def test_scope_names_endpoint_and_account() -> None:
    assert make_scope(None, "111122223333") == "aws|111122223333"
    assert (
        make_scope("http://127.0.0.1:5055/", "123456789012") == "http://127.0.0.1:5055|123456789012"
    )


def test_the_demo_scope_does_not_depend_on_the_sandbox_port() -> None:
    first = make_scope("http://127.0.0.1:40123", "123456789012", DEMO_ENDPOINT)
    second = make_scope("http://127.0.0.1:51999/", "123456789012", DEMO_ENDPOINT)
    assert first == second == "demo-sandbox|123456789012"
    # a real endpoint's scope stays its URL and account; accounts stay apart
    assert make_scope("http://127.0.0.1:40123", "123456789012") != first
    assert make_scope("http://x", "210987654321", DEMO_ENDPOINT) != first
    assert scope_parts("http://127.0.0.1:5055|123456789012") == (
        "http://127.0.0.1:5055",
        "123456789012",
    )


def test_kinds_map_to_their_describe_api() -> None:
    assert {k: api_for(k) for k in ("copy", "create", "register", "export", "import")} == {
        "copy": "images",
        "create": "images",
        "register": "images",
        "export": "export",
        "import": "import",
    }
    with pytest.raises(ValueError):
        api_for("launch")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        ("42%", 42),
        (7, 7),
        ("100", 100),
        ("", None),
        (None, None),
        ("n/a", None),
        ("150", 100),
    ],
)
def test_progress_parsing(value, expected) -> None:
    assert progress_of(value) == expected


# images -------------------------------------------------------------------------------------


def test_image_pending_is_running_and_available_is_done() -> None:
    obs = interpret_image({"ImageId": "ami-1", "State": "pending"}, task(), NOW)
    assert (obs.status, obs.aws_state, obs.progress) == ("running", "pending", None)
    obs = interpret_image({"ImageId": "ami-1", "State": "available"}, task(), NOW)
    assert (obs.status, obs.aws_state, obs.image_id) == ("done", "available", "ami-1")


@pytest.mark.parametrize("state", ["failed", "error", "invalid", "deregistered", "disabled"])
def test_image_failure_states_keep_the_state_reason(state: str) -> None:
    raw = {
        "ImageId": "ami-1",
        "State": state,
        "StateReason": {"Code": "Client.X", "Message": "Snapshot copy failed: KMS key disabled"},
    }
    obs = interpret_image(raw, task(), NOW)
    assert (obs.status, obs.aws_state) == ("failed", state)
    assert obs.message == "Snapshot copy failed: KMS key disabled"


def test_image_failure_without_reason_still_says_why() -> None:
    obs = interpret_image({"ImageId": "ami-1", "State": "failed"}, task(), NOW)
    assert obs.status == "failed" and obs.message == "image is failed"


def test_image_unknown_state_stays_running() -> None:
    assert interpret_image({"State": "transient"}, task(), NOW).status == "running"


def test_missing_image_fails_after_the_grace_period() -> None:
    obs = interpret_image(None, task(age=600), NOW)
    assert (obs.status, obs.message) == ("failed", "image no longer exists")
    young = interpret_image(None, task(age=5), NOW, grace=60)
    assert young.status == "running" and "waiting" in young.message
    # Without a task (or a clock) there is no grace: NotFound never runs forever.
    assert interpret_image(None).status == "failed"
    assert interpret_image(None, task(age=5), NOW, grace=0).status == "failed"


def test_cancelled_copy_whose_image_is_gone_is_cancelled() -> None:
    t = task(age=5, cancel_requested=True)
    assert interpret_image(None, t, NOW).status == "cancelled"
    assert interpret_image({"State": "deregistered"}, t, NOW).status == "cancelled"


# exports ------------------------------------------------------------------------------------


def export_raw(status: str, **kw) -> dict:
    raw = {
        "ExportImageTaskId": "export-ami-0123456789abcdef0",
        "ImageId": "ami-1",
        "Status": status,
        "S3ExportLocation": {"S3Bucket": "bucket", "S3Prefix": "exports/"},
    }
    raw.update(kw)
    return raw


def test_export_progress_and_completion() -> None:
    t = task("export")
    obs = interpret_export(export_raw("active", Progress="35", StatusMessage="converting"), t, NOW)
    assert (obs.status, obs.aws_state, obs.progress, obs.message) == (
        "running",
        "active",
        35,
        "converting",
    )
    obs = interpret_export(export_raw("completed"), t, NOW)
    assert (obs.status, obs.progress) == ("done", 100)


def test_export_completion_names_the_object_as_aws_names_it() -> None:
    url = export_object_url("bucket", "exports/", "export-ami-0123456789abcdef0", "VMDK")
    assert url == "s3://bucket/exports/export-ami-0123456789abcdef0.vmdk"
    started = task("export", target_id="export-ami-0123456789abcdef0", source=f"ami-1 → {url}")
    obs = interpret_export(export_raw("completed"), started, NOW)
    assert obs.message == f"exported to {url}"
    # adopted (started elsewhere): AWS does not repeat the format, and the message says so
    adopted = task("export", target_id="export-ami-0123456789abcdef0", source="ami-1")
    obs = interpret_export(export_raw("completed"), adopted, NOW)
    assert obs.message == "exported to s3://bucket/exports/export-ami-0123456789abcdef0.<format>"


def test_a_pending_image_carries_its_snapshots_progress() -> None:
    obs = interpret_image({"ImageId": "ami-1", "State": "pending"}, task(), NOW, progress=40)
    assert (obs.status, obs.progress) == ("running", 40)
    done = interpret_image({"ImageId": "ami-1", "State": "available"}, task(), NOW, progress=40)
    assert done.status == "done"


def test_image_progress_is_the_size_weighted_snapshot_progress() -> None:
    assert weighted_progress([{"Progress": "100%", "VolumeSize": 8}]) == 100
    two = [{"Progress": "100%", "VolumeSize": 10}, {"Progress": "0%", "VolumeSize": 30}]
    assert weighted_progress(two) == 25
    assert weighted_progress([{"Progress": "50%"}, None]) is None  # one not described
    assert weighted_progress([]) is None


class SnapshotEc2:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.fail = fail

    def describe_snapshots(self, SnapshotIds, **_):
        self.calls.append(list(SnapshotIds))
        if self.fail:
            raise client_error("UnauthorizedOperation", "not allowed")
        sizes = {"snap-a": 10, "snap-b": 30, "snap-c": 8}
        done = {"snap-a": "100%", "snap-b": "0%", "snap-c": "50%"}
        return {
            "Snapshots": [
                {"SnapshotId": s, "Progress": done[s], "VolumeSize": sizes[s]} for s in SnapshotIds
            ]
        }


def image(image_id: str, state: str, *snapshots: str) -> dict:
    return {
        "ImageId": image_id,
        "State": state,
        "BlockDeviceMappings": [{"Ebs": {"SnapshotId": s}} for s in snapshots],
    }


def test_pending_images_progress_costs_one_describe_snapshots_for_all() -> None:
    ec2 = SnapshotEc2()
    answers = {
        "ami-1": image("ami-1", "pending", "snap-a", "snap-b"),
        "ami-2": image("ami-2", "pending", "snap-c"),
        "ami-3": image("ami-3", "available", "snap-x"),  # finished: not asked about
        "ami-4": image("ami-4", "pending"),  # no snapshots yet: no percentage
        "ami-5": None,
    }
    assert pending_image_progress(ec2, answers) == {"ami-1": 25, "ami-2": 50, "ami-4": None}
    assert ec2.calls == [["snap-a", "snap-b", "snap-c"]]
    assert pending_image_progress(ec2, {"ami-3": answers["ami-3"]}) == {}
    assert len(ec2.calls) == 1  # nothing pending: no call


def test_only_copies_and_creations_take_their_snapshots_progress() -> None:
    ec2 = SnapshotEc2()
    answers = {
        "ami-1": image("ami-1", "pending", "snap-a"),  # a register: reuses a snapshot
        "ami-2": image("ami-2", "pending", "snap-c"),  # a copy
    }
    assert pending_image_progress(ec2, answers, only=["ami-2"]) == {"ami-2": 50}
    assert ec2.calls == [["snap-c"]]


def test_a_refused_describe_snapshots_leaves_the_percentage_unknown() -> None:
    ec2 = SnapshotEc2(fail=True)
    assert pending_image_progress(ec2, {"ami-1": image("ami-1", "pending", "snap-a")}) == {}


def test_elapsed_of_a_finished_task_does_not_grow() -> None:
    seen = task(age=600, finished_at=NOW - 300, updated_at=NOW - 300)
    assert seen.elapsed(NOW) == seen.elapsed(NOW + 86400) == 300
    assert not seen.ended_unseen
    # ended while amitui was closed: finished_at is the last change seen, before updated_at
    unseen = task(age=600, finished_at=NOW - 500, updated_at=NOW)
    assert unseen.ended_unseen and unseen.elapsed(NOW + 86400) == 100


def test_export_deleted_is_cancelled_after_a_cancel_else_failed() -> None:
    cancelled = interpret_export(export_raw("deleted"), task("export", cancel_requested=True), NOW)
    assert cancelled.status == "cancelled"
    by_message = interpret_export(
        export_raw("deleted", StatusMessage="User initiated task cancelation"), task("export"), NOW
    )
    assert by_message.status == "cancelled"
    failed = interpret_export(
        export_raw("deleted", StatusMessage="ClientError: Unable to write to the S3 bucket"),
        task("export"),
        NOW,
    )
    assert (failed.status, failed.message) == (
        "failed",
        "ClientError: Unable to write to the S3 bucket",
    )
    assert interpret_export(export_raw("deleted"), task("export"), NOW).status == "failed"


def test_export_deleting_is_still_running() -> None:
    obs = interpret_export(export_raw("deleting"), task("export", cancel_requested=True), NOW)
    assert (obs.status, obs.message) == ("running", "cancelling")


def test_export_not_found_fails() -> None:
    obs = interpret_export(None, task("export"), NOW)
    assert (obs.status, obs.message) == ("failed", "export task no longer exists")


# imports ------------------------------------------------------------------------------------


def import_raw(status: str, **kw) -> dict:
    raw = {"ImportTaskId": "import-ami-0123456789abcdef0", "Status": status}
    raw.update(kw)
    return raw


def test_import_completed_carries_the_image_id() -> None:
    obs = interpret_import(
        import_raw("completed", ImageId="ami-0fedcba9876543210"), task("import"), NOW
    )
    assert (obs.status, obs.image_id, obs.progress) == ("done", "ami-0fedcba9876543210", 100)
    assert "ami-0fedcba9876543210" in obs.message


def test_import_completed_without_image_waits_then_fails() -> None:
    # First sighting: AWS may add the ImageId a moment later.
    first = interpret_import(import_raw("completed"), task("import"), NOW, grace=60)
    assert (first.status, first.aws_state, first.image_id) == ("running", "completed", None)
    seen = task("import", aws_state="completed", updated_at=NOW - 10)
    assert interpret_import(import_raw("completed"), seen, NOW, grace=60).status == "running"
    late = task("import", aws_state="completed", updated_at=NOW - 61)
    obs = interpret_import(import_raw("completed"), late, NOW, grace=60)
    assert (obs.status, obs.message) == ("failed", "import completed without an image")
    assert interpret_import(import_raw("completed")).status == "failed"  # no clock: no grace


def test_import_active_and_deleting_run() -> None:
    obs = interpret_import(
        import_raw("active", Progress="20", StatusMessage="validated"), task("import"), NOW
    )
    assert (obs.status, obs.progress, obs.message) == ("running", 20, "validated")
    assert interpret_import(import_raw("deleting"), task("import"), NOW).status == "running"


def test_import_deleted_with_client_error_fails_with_it() -> None:
    message = "ClientError: Disk validation failed [Unsupported specified file format]"
    obs = interpret_import(import_raw("deleted", StatusMessage=message), task("import"), NOW)
    assert (obs.status, obs.message) == ("failed", message)
    # Even if a cancel was requested meanwhile, AWS's failure reason wins.
    t = task("import", cancel_requested=True)
    assert interpret_import(import_raw("deleted", StatusMessage=message), t, NOW).status == "failed"


def test_import_deleted_after_cancel_is_cancelled() -> None:
    t = task("import", cancel_requested=True)
    assert interpret_import(import_raw("deleted"), t, NOW).status == "cancelled"
    obs = interpret_import(
        import_raw("deleted", StatusMessage="User initiated task cancelation"), task("import"), NOW
    )
    assert obs.status == "cancelled"  # adopted tasks cancelled elsewhere
    assert interpret_import(import_raw("deleted"), task("import"), NOW).status == "failed"


# batching -----------------------------------------------------------------------------------


def aws_like(existing: dict[str, dict], calls: list[list[str]], name_ids: bool = True):
    """A fetch that fails the whole batch when one id is unknown, as DescribeImages does."""

    def fetch(batch: list[str]) -> dict[str, dict]:
        calls.append(list(batch))
        missing = [i for i in batch if i not in existing]
        if missing:
            text = f"The image id '[{', '.join(missing)}]' does not exist" if name_ids else "nope"
            raise client_error("InvalidAMIID.NotFound", text)
        return {i: existing[i] for i in batch}

    return fetch


def test_batch_is_one_call_when_all_exist() -> None:
    ids = [f"ami-{i:017x}" for i in range(200)]
    calls: list[list[str]] = []
    out = describe_batched(aws_like({i: {"State": "pending"} for i in ids}, calls), ids)
    assert len(calls) == 1 and calls[0] == ids
    assert all(out[i] == {"State": "pending"} for i in ids)


def test_batch_drops_the_ids_aws_names_and_retries_once() -> None:
    ids = [f"ami-{i:017x}" for i in range(50)]
    gone = {ids[3], ids[40]}
    calls: list[list[str]] = []
    out = describe_batched(aws_like({i: {} for i in ids if i not in gone}, calls), ids)
    assert len(calls) == 2
    assert {i for i, v in out.items() if v is None} == gone
    assert len(out) == 50


def test_batch_bisects_when_the_error_names_no_id() -> None:
    ids = [f"ami-{i:017x}" for i in range(64)]
    gone = {ids[10]}
    calls: list[list[str]] = []
    out = describe_batched(aws_like({i: {} for i in ids if i not in gone}, calls, False), ids)
    assert {i for i, v in out.items() if v is None} == gone
    assert len(calls) <= 1 + 2 * 6  # log2(64) levels, two halves each
    assert all(out[i] == {} for i in ids if i not in gone)


def test_batch_absent_from_a_successful_answer_is_none() -> None:
    out = describe_batched(lambda batch: {"ami-1": {"State": "available"}}, ["ami-1", "ami-2"])
    assert out == {"ami-1": {"State": "available"}, "ami-2": None}


def test_batch_other_errors_propagate() -> None:
    def fetch(batch):
        raise client_error("RequestLimitExceeded", "Request limit exceeded.")

    with pytest.raises(ClientError):
        describe_batched(fetch, ["ami-1"])


def test_missing_error_codes() -> None:
    assert is_missing_error(client_error("InvalidAMIID.NotFound"))
    assert is_missing_error(client_error("InvalidAMIID.Malformed"))
    assert is_missing_error(client_error("InvalidConversionTaskId.Malformed"))
    assert is_missing_error(client_error("InvalidExportImageTaskId.NotFound"))
    assert not is_missing_error(client_error("UnauthorizedOperation"))
    assert not is_missing_error(RuntimeError("x"))


class PagedEc2:
    """Answers the two list calls in pages, as AWS does with NextToken."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def describe_export_image_tasks(self, **kw):
        self.calls.append(("export", kw))
        if "NextToken" not in kw:
            return {
                "ExportImageTasks": [
                    {"ExportImageTaskId": "export-ami-1", "Status": "active", "Progress": "5",
                     "ImageId": "ami-1", "S3ExportLocation": {"S3Bucket": "b", "S3Prefix": "p/"}},
                    {"ExportImageTaskId": "export-ami-2", "Status": "completed"},
                ],
                "NextToken": "t1",
            }  # fmt: skip
        return {"ExportImageTasks": [{"ExportImageTaskId": "export-ami-3", "Status": "active"}]}

    def describe_import_image_tasks(self, **kw):
        self.calls.append(("import", kw))
        return {
            "ImportImageTasks": [
                {"ImportTaskId": "import-ami-1", "Status": "active", "Progress": "30",
                 "SnapshotDetails": [{"UserBucket": {"S3Bucket": "b", "S3Key": "disk.vmdk"}}]},
                {"ImportTaskId": "import-ami-2", "Status": "deleted"},
            ]
        }  # fmt: skip


def test_list_active_transfers_pages_and_keeps_active_ones() -> None:
    ec2 = PagedEc2()
    found = list_active_transfers(ec2, "eu-west-1")
    assert [(f.kind, f.target_id) for f in found] == [
        ("export", "export-ami-1"),
        ("export", "export-ami-3"),
        ("import", "import-ami-1"),
    ]
    assert found[0].source == "ami-1 -> s3://b/p/" and found[0].progress == 5
    assert found[2].source == "s3://b/disk.vmdk" and found[2].progress == 30
    assert [c[0] for c in ec2.calls] == ["export", "export", "import"]
    assert ec2.calls[1][1]["NextToken"] == "t1"


def test_task_modules_never_load_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys, amitui.tasks.poller, amitui.tasks.calls, amitui.tasks.store, "
        "amitui.inventory_cache; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual' "
        "or m.startswith('amitui.ui')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
