"""Bulk runs without AWS: the store's queue (claim, recover, requeue, finish, retry), the
per-image requests a bulk form sends, and the marks. The runner against the sandbox and
its faults: tests/reliability/test_bulk_runs.py; the UI flow: tests/app/test_bulk.py."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import amitui.actions  # noqa: F401 (the built-in actions register themselves)
from amitui.actions import ACTIONS
from amitui.actions.bulk import call_line, confirmation_phrase, destructive, image_plan
from amitui.aws.images import Image
from amitui.sqlite_file import open_database
from amitui.tasks.bulk_model import DONE, FAILED, QUEUED, SENDING, NewItem
from amitui.tasks.store import TASK_MIGRATIONS, TaskStore
from amitui.ui.marks import Marks
from tests.support.clock import Clock

SCOPE = "aws|111111111111"
A, B, C = "ami-0000000000000000a", "ami-0000000000000000b", "ami-0000000000000000c"


def items(*ids: str) -> list[NewItem]:
    return [NewItem("us-east-1", i, (("DeregisterImage", {"ImageId": i}),)) for i in ids]


# -- the queue ------------------------------------------------------------------------


def test_a_run_is_recorded_queued_and_claimed_once_in_order(store: TaskStore) -> None:
    run = store.bulk.add_run(SCOPE, "deregister", "Deregister 3", items(A, B, C))
    assert run.counts == {QUEUED: 3} and run.progress() == "0/3" and not run.finished
    first, second = store.bulk.claim(SCOPE), store.bulk.claim(SCOPE)
    assert first is not None and second is not None
    assert (first.target_id, second.target_id) == (A, B)
    assert first.status == SENDING and first.attempts == 1
    assert first.calls == (("DeregisterImage", {"ImageId": A}),)
    assert store.bulk.claim("aws|222222222222") is None  # another account's scope


def test_the_run_ends_with_its_last_item_and_counts_each_outcome(store: TaskStore) -> None:
    run = store.bulk.add_run(SCOPE, "deregister", "Deregister 2", items(A, B))
    a, b = store.bulk.claim(SCOPE), store.bulk.claim(SCOPE)
    assert a and b
    middle = store.bulk.finish(a.id, DONE)
    assert not middle.finished and middle.finished_at is None
    ended = store.bulk.finish(b.id, FAILED, "InvalidAMIID.NotFound", "gone")
    assert ended.finished and ended.finished_at is not None
    assert (ended.done, ended.failed, ended.state()) == (1, 1, "failed")
    failed = [i for i in store.bulk.items(run.id) if i.status == FAILED]
    assert [(i.target_id, i.code) for i in failed] == [(B, "InvalidAMIID.NotFound")]
    # retry queues only the failed one again, and the run is running again
    assert store.bulk.retry_failed(run.id) == 1
    again = store.bulk.claim(SCOPE)
    assert again is not None and again.target_id == B and again.attempts == 2
    assert store.bulk.run(run.id).finished_at is None  # type: ignore[union-attr]


def test_items_a_dead_process_was_sending_come_back_uncertain(store: TaskStore) -> None:
    store.bulk.add_run(SCOPE, "deregister", "Deregister 2", items(A, B))
    sent = store.bulk.claim(SCOPE)
    assert sent is not None and not sent.uncertain
    assert store.bulk.recover(SCOPE) == 1
    back = store.bulk.claim(SCOPE)
    assert back is not None and back.target_id == A and back.uncertain
    untouched = store.bulk.claim(SCOPE)
    assert untouched is not None and untouched.target_id == B and not untouched.uncertain


def test_a_requeued_item_waits_its_delay_and_the_run_says_why(
    store: TaskStore, clock: Clock
) -> None:
    run = store.bulk.add_run(SCOPE, "deregister", "Deregister 1", items(A))
    item = store.bulk.claim(SCOPE)
    assert item is not None
    waiting = store.bulk.requeue(item.id, delay=10, message="throttled", uncertain=False)
    assert waiting is not None and waiting.note == "throttled"
    assert store.bulk.claim(SCOPE) is None and store.bulk.next_due(SCOPE) == clock.t + 10
    clock.t += 10
    again = store.bulk.claim(SCOPE)
    assert again is not None and again.target_id == A
    assert store.bulk.finish(again.id, DONE).note == ""  # no longer waiting
    assert store.bulk.run(run.id).finished  # type: ignore[union-attr]


def test_a_version_1_tasks_file_gains_bulk_runs_and_keeps_its_tasks(tmp_path: Path) -> None:
    path = tmp_path / "tasks.sqlite3"
    conn, _ = open_database(path, TASK_MIGRATIONS[:1])
    conn.execute(
        "INSERT INTO tasks (scope, kind, region, target_id, status, created_at, updated_at)"
        " VALUES (?, 'copy', 'us-east-1', ?, 'running', 1, 1)",
        (SCOPE, A),
    )
    conn.close()
    with TaskStore(path) as store:
        assert store.schema_version == len(TASK_MIGRATIONS)  # v2 and every later one
        assert [t.target_id for t in store.list_tasks(SCOPE)] == [A]
        assert store.bulk.add_run(SCOPE, "deregister", "x", items(B)).total == 1
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == len(TASK_MIGRATIONS)


# -- what each image's item sends -----------------------------------------------------


def context(image_id: str, tags=(), snapshots=()) -> dict[str, object]:
    return {"image_id": image_id, "region": "us-east-1", "tags": tags, "snapshot_ids": snapshots}


def test_bulk_deregister_sends_each_image_its_own_id_and_the_shared_choice() -> None:
    spec = ACTIONS["deregister"]
    assert destructive(spec) and confirmation_phrase(spec, 12) == "deregister 12"
    plans = [image_plan(spec, {"DeleteAssociatedSnapshots": True}, context(i)) for i in (A, B)]
    assert [p.calls for p in plans] == [
        (("DeregisterImage", {"ImageId": A, "DeleteAssociatedSnapshots": True}),),
        (("DeregisterImage", {"ImageId": B, "DeleteAssociatedSnapshots": True}),),
    ]
    assert call_line(plans[0].calls[0]) == "DeregisterImage DeleteAssociatedSnapshots=True"


def test_bulk_tags_add_and_change_and_remove_none() -> None:
    spec = ACTIONS["tags"]
    assert not destructive(spec)
    plan = image_plan(
        spec, {"Tags": "team=api, env=prod"}, context(A, (("team", "web"), ("own", "x")))
    )
    assert plan.calls == (
        (
            "CreateTags",
            {
                "Resources": [A],
                "Tags": [{"Key": "team", "Value": "api"}, {"Key": "env", "Value": "prod"}],
            },
        ),
    )
    unchanged = image_plan(spec, {"Tags": "team=web"}, context(A, (("team", "web"),)))
    assert not unchanged.ok and unchanged.error == "nothing to change"
    bad = image_plan(spec, {"Tags": "no equals sign"}, context(A))
    assert not bad.ok and "key=value" in bad.error


def test_every_bulk_action_acts_on_one_image_and_starts_no_task() -> None:
    bulk = {name for name, spec in ACTIONS.items() if spec.bulk}
    assert {"deregister", "tags", "protect", "unprotect", "deprecate", "description"} <= bulk
    assert not {"copy", "create", "export", "import", "register"} & bulk


# -- marks ------------------------------------------------------------------------------


def image(image_id: str, region: str = "us-east-1", size: int = 8) -> Image:
    return Image(image_id=image_id, region=region, size_gib=size)


def test_marks_are_keyed_by_region_and_id_and_sum_their_sizes() -> None:
    marks = Marks()
    assert marks.toggle(image(A)) and marks.toggle(image(A, "eu-west-1", 30))
    assert marks.add([image(A), image(B, size=100)]) == 1
    assert len(marks) == 3 and marks.summary() == "3 marked · 138 GiB"
    assert not marks.toggle(image(A))  # unmarks us-east-1's A only
    assert image(A, "eu-west-1") in marks and image(A) not in marks
    marks.discard([("us-east-1", B)])
    assert [i.image_id for i in marks] == [A] and marks.regions() == ["eu-west-1"]


def test_a_listing_drops_the_marks_of_images_it_no_longer_returns() -> None:
    marks = Marks()
    marks.add([image(A), image(B)])
    fresh = image(A, size=50)
    assert marks.keep_only([fresh, image(C)]) == 1
    assert marks.images() == [fresh]  # the fresh record: its size as listed now
    assert marks.clear() == 1 and not marks


def test_a_new_process_does_not_wait_out_a_dead_ones_backoff(store: TaskStore) -> None:
    store.bulk.add_run(SCOPE, "deregister", "Deregister 1", items(A))
    item = store.bulk.claim(SCOPE)
    assert item is not None
    store.bulk.requeue(item.id, delay=600, message="endpoint unreachable", uncertain=True)
    assert store.bulk.claim(SCOPE) is None
    store.bulk.recover(SCOPE)  # what a starting runner does
    again = store.bulk.claim(SCOPE)
    assert again is not None and again.target_id == A and again.uncertain


# -- what a form's title says of the accounts -------------------------------------------


def test_a_forms_title_names_the_accounts_of_its_images() -> None:
    from amitui.ui.account_text import accounts_named

    def at(account: str, name: str = "") -> Image:
        found = image(A)
        found.account, found.account_name = account, name
        return found

    assert accounts_named([image(A), image(B)]) == ""  # the one account: nothing to say
    assert accounts_named([at("111111111111", "dev")]) == "account 111111111111 (dev)"
    assert accounts_named([at("111111111111")]) == "account 111111111111"  # no name known
    two = [at("2", "prod"), at("1", "dev"), at("2", "prod")]
    assert accounts_named(two) == "2 accounts: prod, dev"  # the images' order, each once
    many = [at(str(n), f"a{n}") for n in range(5)] + [at("9")]
    assert accounts_named(many) == "6 accounts: a0, a1, a2 +3 more"
    assert accounts_named([at("9"), at("8", "x")], most=1) == "2 accounts: 9 +1 more"
