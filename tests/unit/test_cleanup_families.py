"""amitui.cleanup.families: the built-in family rule on real naming schemes, and the
user's regex override (its group, its fallback, an invalid one as a message)."""

from __future__ import annotations

import pytest

from amitui.cleanup.families import RuleError, builtin_family, compile_family_regex, family_of


@pytest.mark.parametrize(
    ("name", "family"),
    [
        # the examples
        ("web-api-2026.11.03-nightly.412", "web-api"),
        ("base-al2023-20261103", "base-al2023"),
        # Amazon's own: the date-bearing version goes, architecture and disk stay
        ("amzn2-ami-hvm-2.0.20240306.2-x86_64-gp2", "amzn2-ami-hvm-x86_64-gp2"),
        ("amzn2-ami-hvm-2.0.20240306.2-arm64-gp2", "amzn2-ami-hvm-arm64-gp2"),
        ("al2023-ami-2023.5.20240306.0-kernel-6.1-x86_64", "al2023-ami-kernel-6.1-x86_64"),
        ("Amazon Linux 2 AMI 2.0.20240306 x86_64 HVM gp2", "Amazon Linux 2 AMI x86_64 HVM gp2"),
        # a release number (two parts, or before the date) is part of the family
        (
            "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240306",
            "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server",
        ),
        ("debian-12-amd64-20240306-1650", "debian-12-amd64"),
        (
            "Windows_Server-2022-English-Full-Base-2024.03.06",
            "Windows_Server-2022-English-Full-Base",
        ),
        # in-house schemes: calver, date + commit, semver, packer's {{timestamp}}, dashed dates
        ("billing-2024.03.5", "billing"),
        ("billing-20240306-abc1234", "billing"),
        ("billing-v4.3.12-x86_64", "billing-x86_64"),
        ("packer-web-1709712000", "packer-web"),
        ("web-2026-11-03T12-00-00Z", "web"),
        ("2026-11-03-web", "web"),
        ("app-1.2.3-rc2", "app"),
        # nothing to remove, or nothing but a date: the whole name
        ("golden-base", "golden-base"),
        ("20240306", "20240306"),
        # a channel word stays (dev and prod builds are two families)
        ("app-2024.03.06-dev", "app-dev"),
        ("cache [beta] 2024.01.02", "cache [beta]"),
    ],
)
def test_builtin_family(name, family):
    assert builtin_family(name) == family


def test_numbers_after_no_date_stay_so_releases_are_not_merged():
    """When unsure a token stays: debian-11 and debian-12 are two families."""
    assert builtin_family("debian-11") != builtin_family("debian-12")
    assert builtin_family("app-412") == "app-412"


def test_a_named_group_then_a_first_group_then_the_whole_match_is_the_family():
    named = family_of(compile_family_regex(r"^(?P<team>\w+)-(?P<family>[a-z]+)"))
    assert named("web-api-2024") == ("api", True)
    first = family_of(compile_family_regex(r"^([a-z]+)-"))
    assert first("web-api-2024") == ("web", True)
    whole = family_of(compile_family_regex(r"^[a-z]+"))
    assert whole("web-api-2024") == ("web", True)


def test_a_name_the_regex_does_not_match_falls_back_to_the_builtin_rule():
    family = family_of(compile_family_regex(r"^payments-(\w+)-"))
    assert family("web-api-2026.11.03-nightly.412") == ("web-api", False)
    empty = family_of(compile_family_regex(r"^(x*)"))  # matches, but empty
    assert empty("web-20240306") == ("web", False)


def test_no_regex_is_the_builtin_rule():
    assert compile_family_regex("   ") is None
    assert family_of(None)("base-al2023-20261103") == ("base-al2023", False)


@pytest.mark.parametrize("text", ["(unclosed", "[a-", "*web", "(?P<family>a)(?P<family>b)"])
def test_an_invalid_regex_is_a_message(text):
    with pytest.raises(RuleError, match=r"^family regex: .+"):
        compile_family_regex(text)
