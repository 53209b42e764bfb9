from datetime import UTC, datetime

from amitui.ui.query import Query, Term, comparison, explain, parse_query


def test_plain_terms_are_lowercased_and_anded():
    assert parse_query("Ubuntu  ARM64") == Query((Term("ubuntu"), Term("arm64")))


def test_field_value_and_aliases():
    q = parse_query("arch:arm64 ami:ami-0abc region:eu-west-1")
    assert q.terms == (
        Term("arm64", "arch"),
        Term("ami-0abc", "id"),
        Term("eu-west-1", "region"),
    )


def test_negation_and_tag_forms():
    q = parse_query("!state:pending tag:Team=Web tag:Env !deprecated")
    assert q.terms == (
        Term("pending", "state", negated=True),
        Term("team=web", "tag"),
        Term("env=", "tag"),
        Term("deprecated", None, negated=True),
    )


def test_unknown_field_is_a_plain_term():
    assert parse_query("foo:bar").terms == (Term("foo:bar"),)


def test_quoted_values_keep_spaces_and_unclosed_quote_does_not_crash():
    assert parse_query('name:"my image"').terms == (Term("my image", "name"),)
    assert parse_query('name:"my im').terms  # typing in progress


def test_an_unclosed_quote_runs_to_the_end_and_is_explained():
    assert parse_query('name:"candidate 52').terms == (Term("candidate 52", "name"),)
    assert parse_query("arm 'my im").terms == (Term("arm"), Term("my im"))
    assert 'unclosed "' in explain('name:"candidate 52')
    assert explain('name:"candidate 52"') is None
    assert explain('name:"it\\"s"') is None  # an escaped quote inside a closed one


def test_an_unknown_field_is_explained_with_the_nearest_one():
    note = explain("ubuntu nme:web")
    assert "unknown field nme" in note and "did you mean name:" in note
    assert "did you mean state:" in explain("!stat:pending")
    far = explain("foo:bar")
    assert "unknown field foo" in far and "fields: name, id, state" in far


def test_known_fields_aliases_and_colons_in_values_are_not_flagged():
    for text in ("arch:arm64", "ami:ami-0abc", "tag:Team=a:b", "12:30", "ubuntu", "", "!"):
        assert explain(text) is None, text


def test_lone_bang_is_ignored_while_typing():
    assert parse_query("!").empty


def test_a_field_with_no_value_yet_is_no_condition():
    for text in ("arch:", "!arch:", "tag:", "ubuntu state:"):
        assert parse_query(text) == parse_query(text.rpartition(" ")[0] if " " in text else "")


def test_refinement_rules():
    assert parse_query("ubu").refines(parse_query("ub"))
    assert parse_query("ub arm").refines(parse_query("ub"))
    assert not parse_query("u").refines(parse_query("ub"))
    # a longer negated term excludes fewer rows: not a refinement
    assert not parse_query("!ubu").refines(parse_query("!ub"))
    assert parse_query("!ub").refines(parse_query("!ubu"))
    assert not parse_query("arch:arm").refines(parse_query("arm64"))


def test_tag_terms_refine_only_at_the_start_of_a_key():
    assert not parse_query("tag:team=web").refines(parse_query("tag:eam=web"))
    assert parse_query("tag:team=web").refines(parse_query("tag:team"))
    assert not parse_query("!tag:team").refines(parse_query("!tag:eam"))


def test_ages_of_any_size_compare_with_four_digit_years():
    now = datetime(2026, 1, 15, tzinfo=UTC)
    for age in ("1500y", "99999y", "99999mo", "99999m", "99999w"):  # before the year 1000, or 1
        older, within = comparison(">", age, now), comparison("<", age, now)
        assert older is not None and within is not None
        assert not older("2024-06-30T10:00:00.000Z") and within("2024-06-30T10:00:00.000Z")
        assert older("")  # never launched: older than any age
    assert comparison(">", "30d", now)("2025-12-01T00:00:00.000Z")
    assert not comparison(">", "30d", now)("2026-01-01T00:00:00.000Z")
