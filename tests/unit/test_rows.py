import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amitui.aws.images import Image
from amitui.ui import presort as presort_module
from amitui.ui.columns import COLUMN_BY_KEY, COLUMNS
from amitui.ui.presort import prefill, presort
from amitui.ui.rows import ImageRows


def make_images(n=400, seed=3):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        distro = rng.choice(["ubuntu", "al2023", "debian", "windows", "[x] legacy"])
        out.append(
            Image(
                image_id=f"ami-{i:017x}",
                region=rng.choice(["us-east-1", "eu-west-1"]),
                name=f"{distro}-{rng.randint(1, 99)}",
                state=rng.choice(["available", "pending", "failed"]),
                architecture=rng.choice(["x86_64", "arm64"]),
                creation_date=f"202{rng.randint(3, 5)}-0{rng.randint(1, 9)}-01T00:00:00.000Z",
                tags=(("Team", rng.choice(["web", "data", "webapp"])),),
            )
        )
    return out


def brute(images, predicate):
    return sorted(i for i, img in enumerate(images) if predicate(img))


def loaded(images, page=50):
    rows = ImageRows()
    for start in range(0, len(images), page):
        rows.extend(images[start : start + page])
    return rows


def test_plain_substring_over_all_columns_is_case_insensitive():
    images = make_images()
    rows = loaded(images)
    rows.set_filter("ARM64 Ubuntu")
    expected = brute(images, lambda i: i.architecture == "arm64" and "ubuntu" in i.name)
    assert sorted(rows.visible) == expected and expected


def test_field_filter_matches_only_that_column():
    images = make_images()
    rows = loaded(images)
    rows.set_filter("state:pending")
    assert sorted(rows.visible) == brute(images, lambda i: i.state == "pending")
    rows.set_filter("region:eu-west-1")
    assert sorted(rows.visible) == brute(images, lambda i: i.region == "eu-west-1")


def test_tag_filter_matches_key_and_value_prefix():
    images = make_images()
    rows = loaded(images)
    rows.set_filter("tag:team=data")
    assert sorted(rows.visible) == brute(images, lambda i: i.tag("Team") == "data")
    rows.set_filter("tag:Team")
    assert len(rows) == len(images)
    rows.set_filter("tag:eam")  # not a key prefix: no row has a key "eam"
    assert len(rows) == 0


def test_negation():
    images = make_images()
    rows = loaded(images)
    rows.set_filter("!state:available !ubuntu")
    expected = brute(images, lambda i: i.state != "available" and "ubuntu" not in i.name)
    assert sorted(rows.visible) == expected


def test_markup_in_names_is_plain_text():
    images = make_images()
    rows = loaded(images)
    rows.set_filter("[x]")
    assert sorted(rows.visible) == brute(images, lambda i: "[x]" in i.name)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["u", "b", "a", "!", ":", "arch", "r", "m", "6", " ", "x"]), max_size=12
    )
)
def test_incremental_typing_equals_fresh_filter(chars):
    """Typing one character at a time gives exactly what filtering from scratch gives."""
    images = make_images(200)
    typed = loaded(images)
    text = ""
    for ch in chars:
        text += ch
        typed.set_filter(text)
        fresh = loaded(images)
        fresh.set_filter(text)
        assert typed.visible == fresh.visible, text


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["u", "b", "a", "!", ":", "arch", "r", "6", " ", "x", "BS"]),
            st.integers(0, 5),  # rows wanted at once
            st.integers(0, 3),  # steps of 7 candidates run before the next keystroke
        ),
        max_size=12,
    )
)
def test_stepped_typing_shows_a_prefix_and_ends_equal_to_a_fresh_filter(keys):
    """A filter run in steps (stopping once the screen is full) shows a prefix of the final
    rows at every moment, and a keystroke arriving mid-scan still ends in the right rows."""
    images = make_images(200)
    typed = loaded(images)
    text = ""
    for key, first, steps in keys:
        text = text[:-1] if key == "BS" else text + key
        typed.set_filter(text, first=first)
        for _ in range(steps):
            typed.advance(7)
        fresh = loaded(images)
        fresh.set_filter(text)
        assert typed.visible == fresh.visible[: len(typed.visible)], text
        assert len(typed.visible) >= min(first, len(fresh.visible)), text
        assert typed.filtering or typed.visible == fresh.visible, text
    typed.finish()
    fresh = loaded(images)
    fresh.set_filter(text)
    assert not typed.filtering and typed.visible == fresh.visible


def test_a_page_or_a_sort_finishes_a_filter_under_way():
    images = make_images(9000)
    rows = loaded(images[:8000], page=1000)
    rows.set_filter("ubuntu", first=2)  # one step of candidates finds them
    assert rows.filtering and 2 <= len(rows.visible) < 1000
    rows.extend(images[8000:])
    assert not rows.filtering
    assert rows.visible == brute(images, lambda i: "ubuntu" in i.name.lower())
    rows.set_filter("ubuntu arm", first=1)
    rows.sort_by("name")
    assert not rows.filtering
    names = [rows.images[i].name for i in rows.visible]
    assert names == sorted(names) and len(names) == len(
        brute(images, lambda i: "ubuntu" in i.name and i.architecture == "arm64")
    )


def test_field_texts_are_computed_only_as_far_as_a_filter_reads_and_stay_right():
    images = make_images(12000)
    rows = loaded(images[:10000], page=1000)
    rows.set_filter("arch:arm64", first=5)  # the first step's rows only
    assert 0 < len(rows._field_cache["arch"]) < 10000
    changed = Image(image_id=images[9000].image_id, region=images[9000].region, name="x")
    rows.extend([changed, *images[10000:]])  # a replaced row beyond the texts, and a page
    assert rows.visible == brute(
        [changed if i == 9000 else img for i, img in enumerate(images)],
        lambda i: i.architecture == "arm64",
    )
    rows.set_filter("arch:x86_64")
    assert len(rows.visible) == len(brute(images, lambda i: i.architecture == "x86_64")) - (
        images[9000].architecture == "x86_64"
    )


def test_sort_is_stable_both_ways_and_keeps_filter():
    images = make_images()
    rows = loaded(images)
    rows.set_filter("arm64")
    rows.sort_by("arch")
    # all rows share the Arch value: a stable sort keeps arrival order
    assert rows.visible == sorted(rows.visible)
    rows.sort_by("arch", reverse=True)
    assert rows.visible == sorted(rows.visible)
    rows.sort_by("created", reverse=True)
    dates = [rows.images[i].creation_date for i in rows.visible]
    assert dates == sorted(dates, reverse=True)


def test_root_sorts_by_device_type_then_size():
    images = [
        Image(image_id=f"ami-{i:017x}", region="us-east-1", root_device_type=t, root_size_gib=g)
        for i, (t, g) in enumerate(
            [("instance-store", None), ("ebs", 100), ("ebs", 8), ("", None), ("ebs", None)]
        )
    ]
    rows = loaded(images)
    rows.sort_by("root")
    shown = [(rows.images[i].root_device_type, rows.images[i].root_size_gib) for i in rows.visible]
    assert shown == [("", None), ("ebs", None), ("ebs", 8), ("ebs", 100), ("instance-store", None)]


def test_ties_keep_arrival_order_after_another_column_was_sorted():
    rows = loaded(make_images())
    rows.sort_by("name")
    for reverse in (False, True, False):
        rows.sort_by("arch", reverse)
        arches = [rows.images[i].architecture for i in rows.visible]
        assert arches == sorted(arches, reverse=reverse)
        for arch in set(arches):  # within a tie: arrival order, not the name order before
            tied = [i for i in rows.visible if rows.images[i].architecture == arch]
            assert tied == sorted(tied)


@pytest.mark.parametrize("column", ["name", "id", "state", "created", "root", "public"])
def test_pages_arriving_into_sorted_table_stay_sorted(column):
    images = make_images()
    rows = ImageRows()
    rows.sort_by(column)
    for start in range(0, len(images), 37):
        rows.extend(images[start : start + 37])
    reference = ImageRows()
    reference.extend(images)
    reference.sort_by(column)
    assert rows.visible == reference.visible


def test_same_image_again_replaces_its_row():
    images = make_images(10)
    rows = loaded(images)
    changed = Image(
        image_id=images[3].image_id, region=images[3].region, name="renamed", state="available"
    )
    rows.extend([changed])
    assert rows.total == 10
    rows.set_filter("renamed")
    assert [rows.images[i].name for i in rows.visible] == ["renamed"]


def test_remove_drops_the_row():
    images = make_images(10)
    rows = loaded(images)
    assert rows.remove(images[2].image_id, images[2].region)
    assert rows.total == 9
    assert rows.row_of(images[2].image_id) is None


def run_presort(rows, columns):
    """Step ``presort`` to its end; how many steps it took."""
    return sum(1 for _ in presort(rows, columns))


@pytest.mark.parametrize("n", [0, 1, 4095, 4096, 9000])
def test_a_presorted_first_sort_equals_a_sort_done_then(monkeypatch, n):
    monkeypatch.setattr(presort_module, "CHUNK", 64)  # many chunks and merges at any n
    images = make_images(n, seed=n)  # few distinct values a column: ties everywhere
    ahead = loaded(images, page=1000)
    columns = [c.key for c in COLUMNS]
    assert run_presort(ahead, columns) > len(columns) or n == 0
    for column in columns:
        assert ahead.presorted(column) is not None, column
        for reverse in (False, True):
            then = loaded(images, page=1000)
            then.set_filter("ubuntu")
            ahead.set_filter("ubuntu")
            then.sort_by(column, reverse)
            ahead.sort_by(column, reverse)
            assert (
                ahead.order
                == then.order
                == sorted(
                    range(n),
                    key=lambda i, c=column: COLUMN_BY_KEY[c].sort_key(images[i]),
                    reverse=reverse,
                )
            ), (column, reverse)
            assert ahead.visible == then.visible
            ahead.sort_by(None)


def test_an_order_worked_out_before_the_rows_changed_is_not_used():
    images = make_images(300)
    for change in ("page", "replace", "remove", "clear"):
        rows = loaded(images[:200])
        steps = presort(rows, ["name"])
        next(steps)  # under way when the rows change
        if change == "page":
            rows.extend(images[200:])
        elif change == "replace":
            rows.extend([images[5]])
        elif change == "remove":
            rows.remove(images[5].image_id, images[5].region)
        else:
            rows.clear()
        for _ in steps:
            pass
        assert rows.presorted("name") is None, change
        if change != "clear":
            rows.sort_by("name")
            assert rows.order == sorted(
                range(rows.total), key=lambda i: rows.images[i].name.lower()
            )
    # and one finished before a change is dropped by it
    rows = loaded(images[:200])
    run_presort(rows, ["name"])
    assert rows.presorted("name") is not None
    rows.extend(images[200:])
    assert rows.presorted("name") is None


def test_tag_texts_worked_out_ahead_find_what_a_filter_would_have_found(monkeypatch):
    monkeypatch.setattr(presort_module, "CHUNK", 64)
    images = make_images(500, seed=5)
    first, later = images[:450], images[450:]
    ahead, on_demand = loaded(first), loaded(first)
    assert not ahead.texts_ready("tag")
    assert sum(1 for _ in prefill(ahead)) >= 450 // 64  # a chunk a step, not all at once
    assert ahead.texts_ready("tag")
    ahead.extend(later)  # rows that arrive later get theirs with them
    on_demand.extend(later)
    assert ahead.texts_ready("tag") and not on_demand.texts_ready("tag")
    for query in ("tag:team=web", "tag:Team=webapp", "!tag:team=data", "tag:nothing"):
        ahead.set_filter(query)
        on_demand.set_filter(query)
        expected = brute(
            images, lambda i, q=query: q.lstrip("!").split(":")[1].lower() in tag_of(i)
        )
        if query.startswith("!"):
            expected = sorted(set(range(len(images))) - set(expected))
        assert sorted(ahead.visible) == sorted(on_demand.visible) == expected, query


def tag_of(image):
    return "\x00".join(f"{k}={v}".lower() for k, v in image.tags)
