import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amitui.aws.images import Image
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
