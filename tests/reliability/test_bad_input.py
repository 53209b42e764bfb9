"""Bad input: every field of every ActionSpec and the filter language, over thousands of
generated values (unicode, very long strings, markup, control characters, blanks and
near-misses of valid values). No crash; every invalid value is refused with a short,
printable message keyed by its field; a refused form builds no request; an accepted one
builds requests botocore's own validation accepts. Then a sample through the real form:
the message shows under the field and nothing reaches the endpoint."""

from __future__ import annotations

import random
import unicodedata

import pytest
from botocore.validate import validate_parameters
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.text import Text

from amitui.actions import ACTIONS
from amitui.actions.spec import FORM_ERROR, InvalidForm
from amitui.aws.images import Image
from amitui.ui.action_keys import key_for
from amitui.ui.query import FIELD_NAMES, explain, parse_query
from amitui.ui.rows import ImageRows
from tests.reliability.figures import FIGURES
from tests.reliability.strategies import MARKUP, field_values, hostile_text
from tests.support.examples import examples
from tests.support.planned import sent_requests
from tests.unit.test_action_specs import FULL

FIELDS = [(spec, field) for spec in ACTIONS.values() for field in spec.fields]
PER_FIELD = examples(full=120, quick=40)
MAX_MESSAGE = 300
BAD_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}


def printable(message: str) -> bool:
    return all(unicodedata.category(ch) not in BAD_CATEGORIES for ch in message)


def check_form(spec, values: dict, field_name: str) -> dict[str, str]:
    """The properties every set of values must keep; returns validate()'s errors."""
    errors = spec.validate(values)
    assert set(errors) <= {f.api_name for f in spec.fields} | {FORM_ERROR}
    for message in errors.values():
        assert isinstance(message, str) and message.strip()
        assert len(message) <= MAX_MESSAGE, message  # a long input is not echoed whole
        assert printable(message), repr(message)  # no control characters reach the screen
        assert Text(message).plain == message  # shown as text: markup is never parsed
    field = spec.field(field_name)
    own = field.check(values[field_name])
    if own:
        assert errors.get(field_name) == own
    if errors:
        with pytest.raises(InvalidForm) as refused:
            spec.build_requests(values, region="us-east-1")
        assert refused.value.errors == errors
        return errors
    for _region, request in spec.build_requests(values, region="us-east-1"):
        for shape, each in sent_requests(spec, request, values):
            validate_parameters(each, shape)
    return errors


@pytest.mark.parametrize(
    ("spec", "field"), FIELDS, ids=[f"{s.name}.{f.api_name}" for s, f in FIELDS]
)
def test_every_field_refuses_bad_values_with_a_message(spec, field):
    valid = FULL[spec.name].get(field.api_name)
    tried = 0

    @settings(
        max_examples=PER_FIELD,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        value=field_values(valid)
        if field.kind != "bool"
        else st.one_of(st.booleans(), hostile_text)
    )
    def run(value):
        nonlocal tried
        tried += 1
        values = dict(FULL[spec.name]) | {field.api_name: value}
        errors = check_form(spec, values, field.api_name)
        text = value.strip() if isinstance(value, str) else ""
        if field.kind not in ("bool", "tags") and any(
            unicodedata.category(ch) in BAD_CATEGORIES for ch in text
        ):
            assert field.api_name in errors  # a control character is never sent
        if field.api_name == "ConfirmImageId" and not errors:
            assert text == values["ImageId"]  # only the exact id confirms

    run()
    FIGURES.inputs[f"form fields ({len(FIELDS)})"] += tried


@settings(
    max_examples=examples(full=300, quick=100), deadline=None, database=None, derandomize=True
)
@given(spec=st.sampled_from(list(ACTIONS.values())), data=st.data())
def test_whole_forms_of_hostile_values(spec, data):
    """Every field hostile at once (the cross-field rules see garbage too)."""
    full = FULL[spec.name]
    values = {f.api_name: data.draw(field_values(full.get(f.api_name))) for f in spec.fields}
    check_form(spec, values, spec.fields[0].api_name)
    FIGURES.inputs["whole forms"] += 1


# -- the filter language -------------------------------------------------------------------


def sample_images() -> list[Image]:
    rng = random.Random(11)
    names = ["web [prod]", "ubuntu-22.04", "[bold]x[/bold]", "Ωmega", "a\tb", "'quoted'", ""]
    return [
        Image(
            image_id=f"ami-{n:017x}",
            region=rng.choice(["us-east-1", "eu-west-1"]),
            name=rng.choice(names) + f"-{n}",
            state=rng.choice(["available", "pending", "failed"]),
            architecture=rng.choice(["x86_64", "arm64"]),
            description=rng.choice(["", "[red]", "日本語", "x" * 300]),
            tags=(("Team", rng.choice(["web", "data", "[x]"])), ("Name", "n=1")),
        )
        for n in range(300)
    ]


IMAGES = sample_images()
FILTER_WORD_LIST = [
    "name:",
    "tag:",
    "tag:Team=",
    "!",
    "arch:arm64",
    "state:",
    '"',
    "'",
    "id:ami-",
    "region:",
    *MARKUP,
]
FILTER_WORDS = st.sampled_from(FILTER_WORD_LIST)
filter_text = st.one_of(
    hostile_text,
    st.lists(st.one_of(FILTER_WORDS, st.text(max_size=8)), max_size=6).map(" ".join),
)


#: Every production of the grammar (amitui/ui/query.py), whatever the sample draws: each
#: word above alone and with a value, every field name and alias, negation, quotes (closed
#: and open), tag with and without a value, ages in every unit, dates of each precision,
#: never, a comparison that is neither, unknown fields with and without a near name.
AGE_UNITS = ("d", "w", "mo", "m", "y")  # the query module's age units
GRAMMAR = [
    *FILTER_WORD_LIST,
    *(f"{word}web" for word in FILTER_WORD_LIST),
    *(f"{name}:x !{name}:Y {name}:" for name in sorted(FIELD_NAMES)),
    *(f"created:>{n}{unit} launched:<{n}{unit}" for n in (0, 9, 99999) for unit in AGE_UNITS),
    "created:>2024 created:<2024-06 launched:>2024-06-30 launched:never !launched:never",
    "created:>soon launched:<> created:< created:>2024-13-99",
    '!name:"web [prod]" desc:\'a b\' name:"open',
    "tag:Team=[x] tag:Team tag:=v !state:failed arch:x86_64 'quoted'",
    "nmae:web foo:bar 12:30 arn:aws:x ! !! :x",
]


def with_grammar(test):
    for text in GRAMMAR:
        test = example(text=text)(test)
    return test


@settings(
    max_examples=examples(full=1500, quick=300), deadline=None, database=None, derandomize=True
)
@given(text=filter_text)
@with_grammar
def test_the_filter_language_takes_anything(text):
    query = parse_query(text)
    assert all(t.value == t.value.lower() for t in query.terms)
    note = explain(text)  # what the filter line says under a query it cannot use
    assert note is None or note.strip()
    fresh = ImageRows()
    fresh.extend(IMAGES)
    fresh.set_filter(text)
    assert set(fresh.visible) <= set(range(len(IMAGES)))
    # Typed one key at a time (each keystroke refines the last), the table ends the same.
    typed = ImageRows()
    typed.extend(IMAGES)
    for end in range(0, len(text) + 1, max(1, len(text) // 12)):
        typed.set_filter(text[:end])
    typed.set_filter(text)
    assert typed.visible == fresh.visible
    FIGURES.inputs["filter queries"] += 1


# -- through the real form -------------------------------------------------------------------

PER_FORM = 4  # fields sampled per form (the pure tests above cover every field)
FORM_POOL = [
    "[bold]",
    "\x00",
    "\x1b[31mred\x1b[0m",
    "x" * 5000,
    "名前😀" * 40,
    "[@click=app.quit]q[/]",
    "ami-XYZ",
    "-1",
    "9" * 30,
    "a=b=c, =x, [k]=",
    "us-eats-1, [bold]",
    "s3://",
    "\u202eevil",
    " ",
]


async def test_the_real_form_shows_each_refusal_under_its_field_and_sends_nothing(sandbox, proxy):
    from textual.widgets import Input

    from amitui.ui.screens.action_form import ActionForm
    from tests.app.helpers import SIZE, loaded, open_form, outcome_text, screen_on_top
    from tests.reliability.helpers import make_app

    app = make_app(proxy.url)
    tried = 0
    rotation = 0
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for spec in ACTIONS.values():
            if key_for(spec.name):
                form = await open_form(pilot, key_for(spec.name))
            else:  # a keyless action: what its palette command runs
                app.inventory.action_open_action(spec.name)
                form = await screen_on_top(pilot, ActionForm)
            assert isinstance(form, ActionForm)
            sampled = 0
            for index, field in enumerate(spec.fields):
                widget = form.query_one(f"#f-{index}")
                if not isinstance(widget, Input) or sampled == PER_FORM:
                    continue  # choices and switches cannot hold free text
                sampled += 1
                for _ in range(len(FORM_POOL)):  # the next pool value this field refuses
                    value = FORM_POOL[rotation % len(FORM_POOL)]
                    rotation += 1
                    if spec.field(field.api_name).check(value):
                        break
                else:
                    continue
                widget.value = value
                await pilot.press("ctrl+s")
                await pilot.pause()
                assert app.screen is form
                expected = spec.validate(form.values())[field.api_name]
                box = form.query_one(f"#e-{index}")
                assert box.has_class("shown") and str(box.content) == expected
                assert "nothing was sent" in outcome_text(form)
                tried += 1
            if sampled:  # a form with a refused value refuses its dry run too
                await pilot.click("#dry-run")
                await pilot.pause()
                assert "nothing was sent" in outcome_text(form)
            await pilot.press("escape")
    FIGURES.inputs["through the real form (UI)"] += tried
    assert tried >= 20
    assert proxy.mutating_count() == 0, proxy.actions
