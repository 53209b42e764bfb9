"""`amitui list --accounts …` against the sandbox's organization: every account x region
with an account column in each format, a failing account on stderr with its reason
(exit 1) while the others are printed."""

from __future__ import annotations

import csv
import io
import json

from amitui.cli import main
from tests.app.organization import REGIONS

DEAD = "http://127.0.0.1:9"


def run_list(capsys, sandbox, *args: str) -> tuple[int, str, str]:
    regions = [f"--region={r}" for r in REGIONS]
    code = main(["list", f"--endpoint-url={sandbox.url}", *regions, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_csv_lists_every_account_and_region_and_the_failing_account_on_stderr(
    organization, capsys
) -> None:
    org, sandbox = organization.summary, organization.sandbox
    code, out, err = run_list(capsys, sandbox, "--accounts=org", "--format=csv")
    table = list(csv.DictReader(io.StringIO(out)))
    header = next(csv.reader(io.StringIO(out)))
    assert header[:3] == ["name", "account", "account_id"] and "region" in header
    for member in org.images:
        for region in REGIONS:
            listed = {r["id"] for r in table if r["account_id"] == member and r["region"] == region}
            assert listed == organization.own_images(member, region), (member, region)
        names = {r["account"] for r in table if r["account_id"] == member}
        assert names == {org.names[member]}
    accounts = {r["account_id"] for r in table}
    assert org.management in accounts  # its own credentials, no role assumed
    assert org.no_role not in accounts and org.suspended not in accounts
    # The account without the role: one line with its reason, and exit 1.
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        f"amitui list: account {org.no_role} ({org.names[org.no_role]}): AccessDenied"
    )
    assert code == 1


def test_json_and_table_carry_the_account(organization, capsys) -> None:
    org, sandbox = organization.summary, organization.sandbox
    member = next(iter(org.images))
    ids = f"--accounts={member},{org.no_role}"
    code, out, err = run_list(capsys, sandbox, ids, "--format=json")
    objects = [json.loads(line) for line in out.splitlines()]
    assert objects and {o["Account"] for o in objects} == {member}
    assert {o["AccountName"] for o in objects} == {""}  # ids: no names to be had
    assert all(o["OwnerId"] == member and o["Region"] in REGIONS for o in objects)
    assert {o["ImageId"] for o in objects} == organization.own_images(member, "us-east-1") | (
        organization.own_images(member, "eu-west-1")
    )
    assert code == 1 and err.count("\n") == 1 and f"account {org.no_role}: " in err

    code, out, err = run_list(capsys, sandbox, "--accounts=org", "--format=table")
    title = out.splitlines()[0].split()
    assert title[:2] == ["Name", "Account"]
    for member in org.images:
        assert org.names[member] in out
    assert code == 1 and org.no_role in err


def test_only_the_accounts_named_are_listed_and_all_reached_is_exit_0(sandbox, capsys):
    org = sandbox.summary.org
    members = list(org.images)[:2]
    code, out, err = run_list(
        capsys, sandbox, f"--accounts={','.join(members)}", "--format=csv", "--sort=id"
    )
    table = list(csv.DictReader(io.StringIO(out)))
    assert {r["account_id"] for r in table} == set(members)
    assert [r["id"] for r in table] == sorted(r["id"] for r in table)
    assert (code, err) == (0, "")


def test_the_accounts_unreadable_is_one_line_and_exit_1(sandbox, capsys):
    code = main(["list", f"--endpoint-url={DEAD}", "--region=us-east-1", "--accounts=org"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("amitui list: the organization's accounts: ")


def test_cached_with_accounts_is_refused(sandbox, capsys):
    code, _, err = run_list(capsys, sandbox, "--accounts=org", "--cached")
    assert code == 2 and "--cached" in err
