"""Field validators: tables of valid and invalid values, plus properties."""

from __future__ import annotations

import ipaddress
import re
import uuid

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from amitui.aws import storage_validators as sv
from amitui.aws import tag_text
from amitui.aws import validators as v
from amitui.aws.region_data import from_botocore

HEX17 = "0123456789abcdef0"

# Every (value: str) -> str | None validator the forms can use.
ALL_VALIDATORS = {
    "required": v.required,
    "no_control_chars": v.no_control_chars,
    "ami_name": v.ami_name,
    "description": v.description,
    "image_id": v.image_id,
    "instance_id": v.instance_id,
    "snapshot_id": v.snapshot_id,
    "export_task_id": v.export_task_id,
    "import_task_id": v.import_task_id,
    "device_name": v.device_name,
    "iam_role_name": v.iam_role_name,
    "integer": v.integer(),
    "integer_range": v.integer(1, 10, 2),
    "snapshot_copy_minutes": v.snapshot_copy_minutes,
    "region": v.region,
    "s3_bucket": sv.s3_bucket,
    "s3_prefix": sv.s3_prefix,
    "s3_key": sv.s3_key,
    "url": sv.url,
    "disk_image_url": sv.disk_image_url,
    "kms_key": sv.kms_key,
    "max_length": v.max_length(5),
    "max_bytes": v.max_bytes(5),
    "one_of": v.one_of(("a", "b")),
    "chain": v.chain(v.required, v.ami_name),
    "tag_key": tag_text.tag_key,
    "tag_value": tag_text.tag_value,
    "tags_text": tag_text.tags_text,
}


def table(validator, valid, invalid):
    """Parametrize rows: (validator, value, should_be_valid)."""
    return [(validator, value, True) for value in valid] + [
        (validator, value, False) for value in invalid
    ]


CASES = [
    *table(v.required, ["x", " x ", "[bold]"], ["", "   ", "\t\n", "a\x00b"]),
    *table(
        v.ami_name,
        ["", "abc", "my-image (v2) [prod] 1.0/x'y@z_w", "a" * 128, "web server"],
        ["ab", "a" * 129, "naïve image", "a;b", "tab\there", "emoji 🚀", "a\nbc", "a|b", "a*b"],
    ),
    *table(v.description, ["", "anything at all ünïcödé", "x" * 255], ["x" * 256, "bell\x07"]),
    *table(
        v.image_id,
        ["", "ami-12345678", f"ami-{HEX17}", "ami-abcdef01"],
        [
            "ami-1234567",
            "ami-123456789",
            f"ami-{HEX17}0",
            "AMI-12345678",
            "ami-ABCDEF01",
            "ami-1234567g",
            "i-12345678",
            "ami_12345678",
            " ami-12345678",
            "ami-12345678\n",
        ],
    ),
    *table(v.instance_id, ["i-12345678", f"i-{HEX17}"], ["i-123", "ami-12345678", "i-"]),
    *table(v.snapshot_id, ["snap-12345678", f"snap-{HEX17}"], ["snap-xyz", "vol-12345678"]),
    *table(v.export_task_id, [f"export-ami-{HEX17}"], ["export-i-12345678", "export-ami-1"]),
    *table(v.import_task_id, [f"import-ami-{HEX17}", "import-ami-abcd1234"], ["import-12345678"]),
    *table(
        v.device_name,
        ["", "/dev/sda1", "/dev/xvda", "/dev/sdf", "/dev/xvdba", "/dev/sdb2", "/dev/hda"],
        ["sda1", "/dev/", "/dev/nvme0n1", "/dev/sda1/", "/dev/SDA1", "xvda", "/dev/sd1"],
    ),
    *table(
        v.iam_role_name,
        ["", "vmimport", "my.role+x=y,z@w_-", "a" * 64],
        ["a" * 65, "arn:aws:iam::123456789012:role/vmimport", "role/name", "my role", "rôle"],
    ),
    *table(
        v.integer(),
        ["", "0", "-5", "42", " 7 "],
        ["x", "1.5", "1e3", "+5", "1_000", "\u0661\u0665"],
    ),
    *table(v.integer(1, 10, 2), ["2", "10"], ["0", "11", "3", "-2"]),
    *table(
        v.snapshot_copy_minutes,
        ["", "15", "30", "60", "2880", "2865"],
        ["0", "14", "16", "20", "2881", "2895", "-15", "fifteen", "15.0"],
    ),
    *table(
        v.region,
        [
            "",
            "us-east-1",
            "eu-west-2",
            "ap-southeast-7",
            "us-gov-west-1",
            "cn-northwest-1",
            "us-isob-east-1",
            "eusc-de-east-1",
            "xx-central-9",  # unknown but well formed: accepted (module docstring)
        ],
        ["us-eats-1", "useast1", "us-east", "US-EAST-1", "us-east-1a", "us east 1", "[red]x"],
    ),
    *table(
        sv.s3_bucket,
        [
            "",
            "abc",
            "my-bucket",
            "my.bucket.name",
            "a" * 63,
            "bucket-123456789012",
            "1bucket",
            "192.168.5.4x",
        ],
        [
            "ab",
            "a" * 64,
            "My-Bucket",
            "my_bucket",
            "-bucket",
            "bucket-",
            ".bucket",
            "bucket.",
            "my..bucket",
            "192.168.5.4",
            "1.2.3.04",
            "xn--bucket",
            "sthree-bucket",
            "sthree-configurator-x",
            "amzn-s3-demo-bucket",
            "bucket-s3alias",
            "bucket--ol-s3",
            "bucket.mrap",
            "bucket--x-s3",
            "bucket--table-s3",
            "s3://bucket",
            "buck et",
        ],
    ),
    *table(
        sv.s3_prefix,
        ["", "exports/", "a/b/c", "ünï/", "x" * 1024],
        ["x" * 1025, "é" * 513, "a\x01b", "s3://bucket/prefix"],
    ),
    *table(
        sv.s3_key,
        ["", "disks/server.vmdk", "a", "path with spaces.ova"],
        ["folder/", "x" * 1025, "tab\tkey", "s3://b/k"],
    ),
    *table(
        sv.url,
        [
            "",
            "https://example.com/disk.vmdk",
            "http://example.com/x",
            "s3://my-bucket/disks/a.ova",
            "https://b.s3.amazonaws.com/k?X-Amz-Signature=abc",
        ],
        [
            "ftp://example.com/x",
            "example.com/x",
            "https://",
            "s3://my-bucket",
            "s3://my-bucket/",
            "s3:///key",
            "s3://Bad_Bucket/key",
            "https://exa mple.com",
        ],
    ),
    *table(
        sv.disk_image_url,
        ["https://example.com/a.vhd", "s3://bucket/a.vhd"],
        ["http://example.com/a.vhd"],
    ),
    *table(
        sv.kms_key,
        [
            "",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "mrk-1234abcd12ab34cd56ef1234567890ab",
            "alias/ExampleAlias",
            "alias/aws/ebs",
            "arn:aws:kms:us-east-1:012345678910:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-us-gov:kms:us-gov-west-1:012345678910:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-cn:kms:cn-north-1:012345678910:alias/ExampleAlias",
            "arn:aws:kms:eu-west-1:012345678910:key/mrk-1234abcd12ab34cd56ef1234567890ab",
        ],
        [
            "1234abcd",
            "alias/",
            "alias/has space",
            "ExampleAlias",
            "arn:aws:kms:us-east-1:12345:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:s3:us-east-1:012345678910:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-1:012345678910:key/not-a-uuid",
            "arn:aws:kms:us-east-1:012345678910:secret/x",
        ],
    ),
    *table(
        tag_text.tag_key,
        ["Name", "a", "k" * 128, "team:owner", "Ünï cödé"],
        ["", "  ", "k" * 129, "aws:x", "AWS:createdBy", "a\x00"],
    ),
    *table(tag_text.tag_value, ["", "v", "v" * 256, "[bold]"], ["v" * 257, "a\x1b[31m"]),
    *table(
        tag_text.tags_text,
        ["", "a=b", "a=b, c=d", "a=b\nc=d", "a=", "k=v=w", "a\\,b=c\\,d", "a=b,,"],
        ["a", "aws:x=1", "a=1, a=2", "=v", f"{'k' * 129}=v", "a=b\x00"],
    ),
    *table(v.max_length(5), ["", "12345"], ["123456"]),
    *table(v.max_bytes(5), ["12345", "ab\u00e9"], ["\u00e9\u00e9\u00e9"]),
    *table(v.one_of(("a", "b")), ["", "a", "b"], ["c", "A"]),
]


@pytest.mark.parametrize(("validator", "value", "ok"), CASES)
def test_validator_table(validator, value, ok):
    message = validator(value)
    if ok:
        assert message is None, f"{value!r} rejected: {message}"
    else:
        assert isinstance(message, str) and message, f"{value!r} accepted"


@pytest.mark.parametrize("region", from_botocore().known())  # no cache file at collection
def test_every_region_botocore_knows_is_valid(region):
    assert v.region(region) is None


def test_known_regions_spans_partitions():
    regions = v.known_regions()
    assert {"us-east-1", "cn-north-1", "us-gov-west-1"} <= set(regions)
    assert list(regions) == sorted(set(regions))


def test_messages_do_not_name_the_field_but_labelled_does():
    assert v.required("") == v.REQUIRED_MESSAGE
    assert v.labelled("Name", v.ami_name("ab")) == "Name: Use 3 to 128 characters (now 2)."
    assert v.labelled("Name", None) is None


def test_lowercase_hint_for_ids_and_regions():
    assert "ami-abcdef01" in v.image_id("ami-ABCDEF01")
    assert "us-east-1" in v.region("US-EAST-1")


def test_id_messages_use_the_right_article():
    assert v.instance_id("ami-12345678").startswith("An instance id starts with i-")
    assert v.image_id("i-12345678").startswith("An image id starts with ami-")
    assert v.export_task_id("x").startswith("An export task id")
    assert v.snapshot_id("ami-12345678").startswith("A snapshot id starts with snap-")


def test_control_characters_are_named():
    assert "U+0007" in v.description("ring\x07")
    assert "position 3" in sv.s3_prefix("ab\x00")


def test_chain_returns_first_message():
    check = v.chain(v.required, v.max_length(3))
    assert check("") == v.REQUIRED_MESSAGE
    assert check("abcd") == "At most 3 characters (now 4)."
    assert check("abc") is None


@pytest.mark.parametrize(
    ("text", "whitespace", "items"),
    [
        ("a, b,,c\nd", False, ["a", "b", "c", "d"]),
        ("us-east-1 eu-west-1, us-east-1", True, ["us-east-1", "eu-west-1"]),
        ("VMDK s3://b/k, VHD https://x/y", False, ["VMDK s3://b/k", "VHD https://x/y"]),
        ("", False, []),
        ("  ,  ", True, []),
    ],
)
def test_split_list(text, whitespace, items):
    assert v.split_list(text, whitespace=whitespace) == items


def test_parse_s3_url_and_kms_region():
    assert sv.parse_s3_url("s3://b/k/x") == ("b", "k/x")
    assert sv.parse_s3_url("https://b/k") is None
    assert sv.kms_arn_region("arn:aws:kms:eu-west-1:012345678910:alias/a") == "eu-west-1"
    assert sv.kms_arn_region("alias/a") is None


# -- tags syntax ---------------------------------------------------------------------------


def test_parse_tags_reports_each_bad_tag():
    tags, errors = tag_text.parse_tags("Name=web, aws:x=1, nokey, Name=again, team = plat form ")
    assert tags == [("Name", "web"), ("team", "plat form")]
    assert len(errors) == 3
    assert errors[0].startswith('Tag 2 ("aws:x")')
    assert "expected key=value" in errors[1]
    assert "twice" in errors[2]


def test_parse_tags_escapes_and_limits():
    assert tag_text.parse_tags(r"a\,b=c\=d, e=f=g") == ([("a,b", "c=d"), ("e", "f=g")], [])
    many = ", ".join(f"k{i}=v" for i in range(51))
    assert "At most 50 tags" in tag_text.parse_tags(many)[1][-1]


# -- properties ------------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=300) | st.sampled_from(
    ["", " ", "[bold]", "[/]", "\x00", "\ud800", "a" * 5000, "9" * 5000, "ami-" + "a" * 4000]
)


@settings(max_examples=150, deadline=None)
@given(value=ANY_TEXT, name=st.sampled_from(sorted(ALL_VALIDATORS)))
@example(value="\ud83d", name="max_bytes")
@example(value="9" * 5000, name="integer")
def test_validators_never_raise(value, name):
    message = ALL_VALIDATORS[name](value)
    assert message is None or (isinstance(message, str) and message.strip())


@given(st.from_regex(r"(ami|i|snap)-([0-9a-f]{8}|[0-9a-f]{17})", fullmatch=True))
def test_generated_ids_are_accepted(value):
    check = {"ami": v.image_id, "i": v.instance_id, "snap": v.snapshot_id}[value.split("-")[0]]
    assert check(value) is None


@given(st.from_regex(r"[A-Za-z0-9()\[\] ./\-'@_]{3,128}", fullmatch=True))
def test_generated_ami_names_are_accepted(value):
    assert v.ami_name(value) is None


LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@given(st.lists(LABEL, min_size=1, max_size=4).map(".".join))
def test_generated_bucket_names(value):
    reserved = (
        value.startswith(("xn--", "sthree-", "amzn-s3-demo-"))
        or value.endswith(("-s3alias", "--ol-s3", "--x-s3", "--table-s3", ".mrap"))
        or re.fullmatch(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}", value)
    )
    accepted = sv.s3_bucket(value) is None
    assert accepted == (3 <= len(value) <= 63 and not reserved)


@given(st.text(alphabet="abz09.-_A", min_size=0, max_size=70))
def test_accepted_buckets_satisfy_the_rules(value):
    if sv.s3_bucket(value) is None and value:
        assert 3 <= len(value) <= 63
        assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*[a-z0-9]", value)
        assert ".." not in value
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            pass
        else:
            pytest.fail("IP-shaped bucket accepted")


@given(st.uuids(), st.sampled_from(["aws", "aws-cn", "aws-us-gov"]), st.booleans())
def test_generated_kms_keys(key, partition, as_arn):
    key_id = str(key)
    value = f"arn:{partition}:kms:us-east-1:123456789012:key/{key_id}" if as_arn else key_id
    assert sv.kms_key(value) is None
    assert sv.kms_key(str(uuid.UUID(key_id)).replace("-", "")) is not None


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_snapshot_copy_minutes_property(n):
    ok = 15 <= n <= 2880 and n % 15 == 0
    assert (v.snapshot_copy_minutes(str(n)) is None) == ok


TAG_KEY = (
    st.text(min_size=1, max_size=128)
    .map(str.strip)
    .filter(lambda k: k and not k.lower().startswith("aws:") and tag_text.tag_key(k) is None)
)
TAG_VALUE = st.text(max_size=256).map(str.strip).filter(lambda x: tag_text.tag_value(x) is None)


@given(st.dictionaries(TAG_KEY, TAG_VALUE, max_size=8))
def test_tags_round_trip(tags):
    pairs = list(tags.items())
    parsed, errors = tag_text.parse_tags(tag_text.format_tags(pairs))
    assert errors == []
    assert parsed == pairs


@given(ANY_TEXT)
def test_parse_tags_never_raises(text):
    tags, errors = tag_text.parse_tags(text)
    assert all(isinstance(k, str) and isinstance(x, str) for k, x in tags)
    assert all(isinstance(e, str) and e for e in errors)
