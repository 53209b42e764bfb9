"""The pickers' type-ahead filter (amitui.ui.choice_filter)."""

from amitui.aws.lookups import Choice
from amitui.ui.choice_filter import ChoiceFilter

CHOICES = [
    Choice("snap-0a1", "legacy-app root", "register from me", "8 GiB", "2024-01-02"),
    Choice("snap-0b2", "windows-builder", "root volume backup", "30 GiB", "2025-03-04"),
    Choice("snap-0c3", "", "Created by CreateImage(i-1) for ami-9", "15 GiB", "2025-03-05"),
]


def test_empty_query_keeps_every_choice_in_order():
    assert ChoiceFilter(CHOICES).matches("") == [0, 1, 2]
    assert ChoiceFilter(CHOICES).matches("   ") == [0, 1, 2]


def test_every_word_must_occur_in_some_text_case_insensitively():
    f = ChoiceFilter(CHOICES)
    assert f.matches("ROOT") == [0, 1]
    assert f.matches("root 30") == [1]  # name/description and size
    assert f.matches("2025-03 gib createimage") == [2]
    assert f.matches("root nothing-like-this") == []


def test_a_word_never_matches_across_two_texts():
    f = ChoiceFilter([Choice("ab", "cd")])
    assert f.matches("bc") == []
    assert f.matches("b c") == [0]


def test_a_narrower_query_rescans_only_the_previous_matches():
    f = ChoiceFilter(CHOICES)
    assert f.matches("legacy") == [0]
    f.haystacks[1] += "\nlegacy-app"  # would match now, but was ruled out by "legacy"
    assert f.matches("legacy-app") == [0]
    assert f.matches("legacy-ap") == [0, 1]  # not an extension: everything is rescanned


def test_thousands_of_choices_filter_by_id_fragment():
    many = [Choice(f"snap-{i:017x}", f"name {i}") for i in range(5000)]
    f = ChoiceFilter(many)
    found = f.matches("SNAP-0000000000000012")  # 0x120 to 0x12f
    assert [many[i].value for i in found] == [f"snap-{i:017x}" for i in range(0x120, 0x130)]
    assert f.matches("snap-0000000000000012f") == [0x12F]
