"""`amitui list` against the sandbox: the UI's filter engine, columns and sort; its formats;
one line on stderr per failed region; ``--cached`` without AWS."""

from __future__ import annotations

import csv
import io
import json

import pytest

from amitui.aws.images import ListQuery, iter_image_pages
from amitui.cli import main
from amitui.inventory_cache import InventoryCache
from amitui.ui.columns import COLUMN_BY_KEY
from amitui.ui.rows import ImageRows

#: A port nothing listens on: every call to it fails at once.
DEAD = "http://127.0.0.1:9"

#: The UI's filter language at work: words, fields, aliases, tags, negations, dates, ages,
#: id prefixes, quotes, an unknown field (plain text), case.
QUERIES = [
    "",
    "arm64",
    "arch:arm64",
    "!windows",
    "arch:arm64 !windows",
    "tag:Team=web",
    "tag:Team",
    "!tag:Env=prod",
    "created:>90d",
    "created:<2024-06",
    "date:>2025-01",
    "launched:never",
    "launched:>90d",
    "id:ami-0",
    "ami-00",
    'name:"web-api"',
    "name:'base al2023'",
    "state:available",
    "!state:available",
    "public:yes",
    "ubuntu jammy",
    "desc:debian",
    "platform:windows !arch:arm64",
    "foo:bar",
    "NAME:Ubuntu",
    "region:eu-west !deprecated",
]

REGIONS = ("us-east-1", "eu-west-1")


def listing(ec2) -> ImageRows:
    """The inventory's rows: the listing's pages of every region, as they arrive."""
    rows = ImageRows()
    for region in REGIONS:
        for page in iter_image_pages(ec2(region), region, ListQuery()):
            rows.extend(page)
    return rows


def shown(rows: ImageRows, query: str, sort: str | None = None, reverse: bool = False):
    """The images the inventory shows for ``query``, typed into the filter box (a first
    screenful found, then the rest in steps), in the table's order."""
    rows.sort_by(sort, reverse)
    rows.set_filter(query, first=40)
    while rows.filtering:
        rows.advance(2048)
    return [rows.image_at(n) for n in range(len(rows))]


def by_date(rows: list[list[str]]) -> list[tuple[str, list[list[str]]]]:
    """``rows`` (created in column 2) as runs of one creation date, each run's rows sorted."""
    runs: list[tuple[str, list[list[str]]]] = []
    for row in rows:
        if runs and runs[-1][0] == row[2]:
            runs[-1][1].append(row)
        else:
            runs.append((row[2], [row]))
    return [(date, sorted(run)) for date, run in runs]


def run_list(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["list", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def listed(sandbox, *args: str) -> list[str]:
    regions = [f"--region={r}" for r in REGIONS]
    return ["list", f"--endpoint-url={sandbox.url}", *regions, *args]


def test_one_filter_engine(sandbox, ec2, capsys):
    """For every query, `amitui list` prints the rows the UI shows, in the UI's order
    (sorted by id: the regions are listed at once, so their pages interleave by chance).
    The first queries list the sandbox live; the rest read what that listing cached (the
    same rows through the same engine, without 20 more listings of the sandbox)."""
    rows = listing(ec2)
    counts = set()
    for n, query in enumerate(QUERIES):
        want = [f"{i.region} {i.image_id}" for i in shown(rows, query, sort="id")]
        cached = ["--cached"] if n >= 4 else []
        args = listed(sandbox, *cached, "--sort=id", "--format=csv", "--columns=region,id")
        code = main([*args, f"--filter={query}"])
        out = capsys.readouterr().out
        got = [" ".join(row) for row in list(csv.reader(io.StringIO(out)))[1:]]
        assert code == 0, query
        assert got == want, query
        counts.add(len(got))
    # the queries tell rows apart: many different counts, and never all empty
    assert len(counts) >= 10 and max(counts) > 300


def test_streamed_order_is_arrival_order(sandbox, ec2, capsys):
    """Without --sort: the listing's order (the UI's unsorted table), page after page."""
    rows = ImageRows()
    for page in iter_image_pages(ec2(), "us-east-1", ListQuery()):
        rows.extend(page)
    rows.set_filter("!windows")
    code, out, _ = run_list(
        capsys, f"--endpoint-url={sandbox.url}", "--format=ids", "--filter=!windows"
    )
    assert code == 0
    assert out.split() == [rows.image_at(n).image_id for n in range(len(rows))]


def test_columns_sort_reverse_and_csv_values(sandbox, ec2, capsys):
    code, out, _ = run_list(
        capsys,
        *listed(
            sandbox,
            "--columns=name,ami,date,arch",
            "--sort=created",
            "--reverse",
            "--format=csv",
            "--filter=arch:arm64",
        )[1:],
    )
    assert code == 0
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == ["name", "id", "created", "arch"]  # aliases name their columns
    images = shown(listing(ec2), "arch:arm64", sort="created", reverse=True)
    want = [[i.name, i.image_id, i.creation_date, i.architecture] for i in images]
    # Ties (images made in the same second, here by other tests) keep arrival order, and
    # the two regions' pages arrive in either order: the same rows in each run of one date.
    assert by_date(table[1:]) == by_date(want)
    created = [row[2] for row in table[1:]]
    assert created == sorted(created, reverse=True) and created[0].endswith("Z")


def test_table_is_aligned_without_colours_when_piped(sandbox, capsys, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, out, _ = run_list(
        capsys, f"--endpoint-url={sandbox.url}", "--columns=id,state,name", "--filter=ubuntu"
    )
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["Image", "ID", "State", "Name"]
    assert "\x1b" not in out
    assert all(line[21:23] == "  " and line.startswith("ami-") for line in lines[1:])
    assert len(lines) > 5


def test_json_lines_are_describe_images_plus_region_and_account(sandbox, ec2, capsys):
    code, out, _ = run_list(capsys, *listed(sandbox, "--format=json", "--filter=tag:Team=web")[1:])
    assert code == 0
    objects = [json.loads(line) for line in out.splitlines()]
    assert objects and {o["Region"] for o in objects} == set(REGIONS)
    assert {o["Account"] for o in objects} == {"123456789012"}
    first = objects[0]
    raw = ec2(first["Region"]).describe_images(ImageIds=[first["ImageId"]])["Images"][0]
    assert first == {**raw, "Region": first["Region"], "Account": "123456789012"}


def test_bad_column_and_reverse_without_sort_are_usage_errors(sandbox, capsys):
    code, out, err = run_list(capsys, f"--endpoint-url={sandbox.url}", "--columns=name,size")
    assert (code, out) == (2, "") and "unknown column 'size'" in err
    code, _, err = run_list(capsys, f"--endpoint-url={sandbox.url}", "--reverse")
    assert code == 2 and "--reverse needs --sort" in err


def test_aws_error_exits_1_with_one_line(capsys, monkeypatch):
    # credentials of its own: without them the error would be "no credentials", whichever
    # test ran before on this worker
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    code, out, err = run_list(capsys, f"--endpoint-url={DEAD}", "--format=ids")
    assert (code, out) == (1, "")
    assert len(err.splitlines()) == 1 and err.startswith("amitui list: us-east-1: Cannot reach")
    assert "Traceback" not in err


def test_a_failed_region_is_one_line_and_the_others_print(sandbox, ec2, capsys):
    code, out, err = run_list(
        capsys,
        f"--endpoint-url={sandbox.url}",
        "--region=us-east-1",
        "--region=nowhere-1",
        "--format=ids",
    )
    assert code == 1
    assert len(err.splitlines()) == 1 and err.startswith("amitui list: nowhere-1: ")
    assert len(out.split()) == len(shown(listing(ec2), "region:us-east-1"))


def test_cached_answers_without_aws(capsys):
    """The cache as the UI saves it (endpoint, account, region, owners label); the endpoint
    is dead, so any call would fail."""
    from amitui.aws.images import Image

    images = [
        Image(
            image_id=f"ami-{n:017x}",
            region="us-east-1",
            name=f"app-{n}",
            architecture="arm64" if n % 2 else "x86_64",
            creation_date=f"2025-0{n}-01T00:00:00.000Z",
        )
        for n in range(1, 7)
    ]
    cache = InventoryCache()
    cache.save((DEAD, "111122223333", "us-east-1", ListQuery().label()), images)
    cache.close()
    code, out, err = run_list(
        capsys,
        f"--endpoint-url={DEAD}",
        "--cached",
        "--filter=arch:arm64",
        "--sort=name",
        "--reverse",
        "--format=ids",
    )
    assert code == 0
    assert out.split() == [i.image_id for i in reversed(images) if i.architecture == "arm64"]
    assert "cached listing from" in err and len(err.splitlines()) == 1

    code, out, _ = run_list(capsys, f"--endpoint-url={DEAD}", "--cached", "--format=json")
    record = json.loads(out.splitlines()[0])
    assert record["ImageId"] == images[0].image_id
    assert (record["Region"], record["Account"]) == ("us-east-1", "111122223333")

    # another account cached the same scope: --account chooses
    other = InventoryCache()
    other.save((DEAD, "444455556666", "us-east-1", ListQuery().label()), images[:1])
    other.close()
    code, out, err = run_list(capsys, f"--endpoint-url={DEAD}", "--cached", "--format=ids")
    assert (code, out) == (1, "") and "--account" in err
    code, out, _ = run_list(
        capsys, f"--endpoint-url={DEAD}", "--cached", "--account=444455556666", "--format=ids"
    )
    assert (code, out.split()) == (0, [images[0].image_id])


def test_cached_miss_is_an_error(capsys):
    code, out, err = run_list(capsys, f"--endpoint-url={DEAD}", "--cached")
    assert (code, out) == (1, "") and "no cached listing" in err


def test_a_live_listing_fills_the_cache(sandbox, capsys):
    code, live, _ = run_list(capsys, f"--endpoint-url={sandbox.url}", "--format=ids")
    assert code == 0
    code, cached, err = run_list(
        capsys, f"--endpoint-url={sandbox.url}", "--cached", "--format=ids"
    )
    assert code == 0 and sorted(cached.split()) == sorted(live.split())
    assert "nothing asked of AWS" in err


def test_every_column_sorts_as_the_ui_does(sandbox, ec2, capsys):
    rows = listing(ec2)
    assert main(listed(sandbox, "--format=ids")) == 0  # fills the cache the rest reads
    capsys.readouterr()
    for key in COLUMN_BY_KEY:
        for reverse in ([], ["--reverse"]):
            code, out, _ = run_list(
                capsys,
                *listed(
                    sandbox,
                    "--cached",
                    f"--sort={key}",
                    *reverse,
                    "--format=csv",
                    "--columns=region,id",
                )[1:],
            )
            want = [f"{i.region},{i.image_id}" for i in shown(rows, "", key, bool(reverse))]
            assert code == 0 and out.split()[1:] == want, (key, reverse)


class Recorder(io.StringIO):
    """stdout that notes each flush (how many lines were written by then) in ``events``."""

    def __init__(self, events: list[tuple[str, int]]) -> None:
        super().__init__()
        self.events = events

    def flush(self) -> None:
        self.events.append(("flush", self.getvalue().count("\n")))


@pytest.mark.parametrize("sort", [[], ["--sort=name"]])
def test_pages_are_printed_as_they_arrive_unless_sorted(
    sandbox, isolated_app_dirs, monkeypatch, sort
):
    """config.toml's page size (25) and paged listing, as the UI reads them: each page is
    written and flushed before the next one is asked for; --sort writes once, at the end."""
    from amitui.aws import partitions
    from amitui.commands import list_images

    config = isolated_app_dirs / "config"
    config.mkdir()
    (config / "config.toml").write_text('page_size = 25\nlisting = "paged"\n')
    events: list[tuple[str, int]] = []
    real = partitions.LISTINGS["paged"]

    def noted(*args, **kwargs):
        for page in real(*args, **kwargs):
            events.append(("page", len(page)))
            yield page

    monkeypatch.setitem(partitions.LISTINGS, "paged", noted)
    out, err = Recorder(events), io.StringIO()
    args = [f"--endpoint-url={sandbox.url}", "--format=ids", "--no-cache", *sort]
    assert list_images.main(args, out=out, err=err) == 0, err.getvalue()
    pages = [n for kind, n in events if kind == "page"]
    assert len(pages) > 5 and set(pages) == {25} | {pages[-1]}
    if sort:
        assert [kind for kind, _ in events] == ["page"] * len(pages) + ["flush"]
    else:  # page, flush, page, flush...: every row out before the next page is asked for
        kinds = [kind for kind, _ in events]
        assert kinds == ["page", "flush"] * len(pages) + ["flush"]
        flushed = [n for kind, n in events if kind == "flush"]
        assert flushed[: len(pages)] == [sum(pages[: i + 1]) for i in range(len(pages))]
