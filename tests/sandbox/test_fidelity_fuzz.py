"""Request fuzz: whatever is asked, the sandbox answers EC2-shaped XML and never a 5xx.

Random DescribeImages filters (documented names, near misses and junk) with random
values, random parameters of random types, and random raw query strings for the image
actions. Each answer must be HTTP 200 or 4xx, parse as XML, and be either the action's
``<ActionResponse>`` or an EC2 ``<Response><Errors>`` with a code.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.examples import examples

from .fidelity import Answer, Raw, filter_names

FUZZ = settings(
    max_examples=examples(full=120, quick=40),  # each: up to 1,300 images' XML
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ACTIONS = (
    "DescribeImages",
    "CopyImage",
    "CreateImage",
    "RegisterImage",
    "DeregisterImage",
    "ExportImage",
    "ImportImage",
    "DescribeExportImageTasks",
    "DescribeImportImageTasks",
    "CancelExportTask",
    "CancelImportTask",
)
PARAMETERS = (
    "ImageId",
    "ImageId.1",
    "Owner.1",
    "ExecutableBy.1",
    "MaxResults",
    "NextToken",
    "IncludeDeprecated",
    "IncludeDisabled",
    "Name",
    "SourceImageId",
    "SourceRegion",
    "ClientToken",
    "DiskImageFormat",
    "S3ExportLocation.S3Bucket",
    "S3ExportLocation.S3Prefix",
    "DiskContainer.1.Format",
    "DiskContainer.1.UserBucket.S3Bucket",
    "DiskContainer.1.UserBucket.S3Key",
    "DiskContainer.1.Url",
    "ImportTaskId",
    "ExportTaskId",
    "InstanceId",
    "Filter.1.Name",
    "Filter.1.Value.1",
    "BlockDeviceMapping.1.DeviceName",
    "BlockDeviceMapping.1.Ebs.SnapshotId",
    "TagSpecification.1.ResourceType",
    "TagSpecification.1.Tag.1.Key",
    "DryRun",
    "Bogus",
)
text = st.text(max_size=40)
wildcardish = st.text(alphabet="ab[]*?\\-.:/ 0123456789TZ", max_size=20)
filter_name = st.one_of(
    st.sampled_from(filter_names()),
    st.sampled_from(filter_names()).map(lambda n: n.upper()),
    st.builds(lambda k: f"tag:{k}", text),
    text,
)
value = st.one_of(text, wildcardish, st.sampled_from(["true", "false", "*", "?", "ami-*"]))
scalar = st.one_of(
    text,
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["true", "false", "", "ami-zzzz", "ami-0123456789abcdef0", "VMDK", "vmdk"]),
)


def assert_ec2_shaped(answer: Answer, action: str | None) -> None:
    assert answer.status < 500, (answer.status, answer.body[:300])
    root = ET.fromstring(answer.body)  # XML, never HTML
    tag = root.tag.rsplit("}", 1)[-1]
    if answer.status == 200:
        assert action is not None and tag == f"{action}Response", tag
    else:
        assert 400 <= answer.status < 500
        assert tag == "Response", tag
        assert root.findtext("./{*}Errors/{*}Error/{*}Code"), answer.body[:300]


@pytest.fixture(scope="module")
def raw(sandbox) -> Raw:
    return Raw(sandbox.url, "ap-southeast-2")


@FUZZ
@given(
    filters=st.lists(
        st.fixed_dictionaries(
            {"Name": filter_name, "Values": st.lists(value, max_size=3)},
        ),
        max_size=4,
    ),
    owners=st.lists(st.sampled_from(["self", "amazon", "all", "210987654321", "x"]), max_size=2),
    users=st.lists(
        st.sampled_from(["self", "all", "210987654321", "123456789012", "y"]), max_size=2
    ),
    deprecated=st.booleans(),
    page=st.one_of(st.none(), st.integers(min_value=-5, max_value=2000)),
)
def test_random_describe_images_filters_always_answer_ec2_xml(
    raw, filters, owners, users, deprecated, page
):
    params: dict = {"Filters": filters, "IncludeDeprecated": deprecated}
    if owners:
        params["Owners"] = owners
    if users:
        params["ExecutableUsers"] = users
    if page is not None:
        params["MaxResults"] = page
    assert_ec2_shaped(raw.call("DescribeImages", **params), "DescribeImages")


@FUZZ
@given(
    action=st.one_of(st.sampled_from(ACTIONS), text),
    pairs=st.lists(st.tuples(st.one_of(st.sampled_from(PARAMETERS), text), scalar), max_size=6),
)
def test_random_raw_requests_always_answer_ec2_xml(raw, action, pairs):
    body = urllib.parse.urlencode([("Action", action), ("Version", "2016-11-15"), *pairs])
    known = action if action in ACTIONS else None
    assert_ec2_shaped(raw.post(body), known)
