"""The six ActionSpecs against botocore's EC2 model, and their requests.

Every request a spec builds from values it accepts must pass botocore's own
parameter validation; required fields and enum choices must agree with the
model.
"""

from __future__ import annotations

import dataclasses
import re

import botocore.session
import pytest
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters
from hypothesis import given, settings
from hypothesis import strategies as st

from amitui.actions import ACTIONS, get_action
from amitui.actions.request_parts import set_path
from amitui.actions.spec import FIELD_KINDS, FORM_ERROR, PREFILL_KEYS, InvalidForm
from amitui.aws.lookups import LOOKUPS
from amitui.ui.action_keys import key_for
from tests.support.planned import sent_requests

MODEL = botocore.session.get_session().get_service_model("ec2")

AMI = "ami-0123456789abcdef0"
SNAP = "snap-0123456789abcdef0"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
BUCKET = "DiskContainers.0.UserBucket.S3Bucket"
S3KEY = "DiskContainers.0.UserBucket.S3Key"
URL = "DiskContainers.0.Url"
SNAP_FIELD = "BlockDeviceMappings.0.Ebs.SnapshotId"
VOLUME_TYPE = "BlockDeviceMappings.0.Ebs.VolumeType"
IOPS = "BlockDeviceMappings.0.Ebs.Iops"

# Every field filled with a valid value.
FULL: dict[str, dict[str, object]] = {
    "create": {
        "InstanceId": "i-0123456789abcdef0",
        "Name": "web (nightly) [2026-01-01]",
        "Description": "nightly image",
        "NoReboot": True,
        "TagSpecifications": "team=platform, env=prod",
    },
    "copy": {
        "SourceImageId": AMI,
        "SourceRegion": "us-east-1",
        "DestinationRegions": "us-west-2, eu-west-1",
        "Name": "web-copy",
        "Description": "copied",
        "Encrypted": True,
        "KmsKeyId": "alias/ebs-key",
        "CopyImageTags": True,
        "TagSpecifications": "a=b",
        "SnapshotCopyCompletionDurationMinutes": "60",
    },
    "export": {
        "ImageId": AMI,
        "DiskImageFormat": "VHD",
        "S3ExportLocation.S3Bucket": "my-exports",
        "S3ExportLocation.S3Prefix": "exports/",
        "RoleName": "vmimport",
        "Description": "to S3",
    },
    "import": {
        "DiskContainers.0.Format": "OVA",
        BUCKET: "my-vm-images",
        S3KEY: "disks/server.ova",
        URL: "",
        "AdditionalDisks": "vmdk s3://my-vm-images/d2.vmdk, VHD https://example.com/d3.vhd",
        "Architecture": "x86_64",
        "BootMode": "uefi",
        "LicenseType": "BYOL",
        "Platform": "Linux",
        "Description": "imported",
        "Encrypted": True,
        "KmsKeyId": KEY_ID,
        "RoleName": "my-import-role",
    },
    "register": {
        "Name": "from-snap",
        SNAP_FIELD: SNAP,
        "RootDeviceName": "/dev/sda1",
        "Architecture": "x86_64",
        "VirtualizationType": "hvm",
        "BootMode": "uefi",
        "BlockDeviceMappings.0.Ebs.VolumeSize": "16",
        VOLUME_TYPE: "io2",
        IOPS: "3000",
        "EnaSupport": True,
        "TpmSupport": "v2.0",
        "ImdsSupport": "v2.0",
        "Description": "registered",
        "TagSpecifications": "Name=x",
    },
    "deregister": {
        "ImageId": AMI,
        "ConfirmImageId": AMI,
        "DeleteAssociatedSnapshots": True,
        "DeregisterAnyway": True,
    },
    "usage-report": {
        "ImageId": AMI,
        "ReportResourceTypes": "ec2:Instance, ec2:LaunchTemplate",
        "AccountIds": "111111111111, 222222222222",
    },
    "deprecate": {"ImageId": AMI, "When": "+90d"},
    "undeprecate": {"ImageId": AMI},
    "protect": {"ImageId": AMI, "WithCooldown": True},
    "unprotect": {"ImageId": AMI},
    "disable": {"ImageId": AMI},
    "enable": {"ImageId": AMI},
    "tags": {"ImageId": AMI, "Tags": "team=platform, env=prod", "AlsoSnapshots": True},
    "description": {"ImageId": AMI, "Description.Value": "golden base"},
    "sharing": {
        "ImageId": AMI,
        "ShareWith": "111111111111, arn:aws:organizations::123456789012:organization/o-abcdefghij",
        "StopSharingWith": "222222222222",
        "Public": "not public",
        "SnapshotVolumes": True,
    },
    "leave-shared": {"ImageId": AMI, "ConfirmImageId": AMI},
}

# Required members a request hook builds from form-only fields, and why.
HOOK_BUILT = {
    ("usage-report", "ResourceTypes"): "a list of structures: the form lists type names",
    ("deprecate", "DeprecateAt"): "typed as a date or +90d, sent as the UTC minute",
    ("tags", "Resources"): "the selected image (and its snapshots, if asked)",
    ("tags", "Tags"): "the tags field, as Key/Value structures",
}

# Fields the forms require although the API does not, and why.
STRICTER = {
    ("import", "DiskContainers.0.Format"): "a disk container is described by its format",
    ("register", SNAP_FIELD): "the form registers an AMI from a root snapshot",
    ("register", "RootDeviceName"): "the root snapshot needs a device name",
    ("register", "Architecture"): "the API would default to i386",
    ("register", "VirtualizationType"): "the API would default to paravirtual",
    ("description", "Description.Value"): "the form's one purpose is the description",
}

# Optional one by one, but the form needs one of them (cross rule).
CONDITIONALLY_REQUIRED = {"import": (BUCKET, S3KEY), "sharing": ("Public",)}

# Tag resource types each operation documents.
TAG_TYPES = {
    "CreateImage": {"image", "snapshot"},
    "CopyImage": {"image", "snapshot"},
    "RegisterImage": {"image"},
    "ExportImage": {"export-image-task"},
    "ImportImage": {"import-image-task"},
}

# Valid values the model documents only in prose.
DOC_ENUMS = {("ImportImage", "LicenseType"): {"AWS", "BYOL"}}

SPECS = list(ACTIONS.values())


def input_shape(spec):
    return MODEL.operation_model(spec.operation).input_shape


def member_shape(shape, path):
    for part in path.split("."):
        if part.isdigit():
            assert shape.type_name == "list", path
            shape = shape.member
        else:
            assert part in shape.members, f"{part} of {path} not in {shape.name}"
            shape = shape.members[part]
    return shape


def required_in_model(shape, path):
    """Every segment of path is required by its parent (list indexes: the list is)."""
    for part in path.split("."):
        if part.isdigit():
            shape = shape.member
            continue
        if part not in shape.required_members:
            return False
        shape = shape.members[part]
    return True


def required_leaves(shape, prefix=""):
    for name in shape.required_members:
        member = shape.members[name]
        if member.type_name == "structure" and member.required_members:
            yield from required_leaves(member, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


def documented_values(doc):
    """'Valid values: <code>a</code> | <code>b</code>' or '(a | b)' in a member's doc."""
    text = re.sub(r"<[^>]+>", "", doc or "")
    found = re.search(r"Valid values:\s*([\w.\-]+(?:\s*\|\s*[\w.\-]+)+)", text)
    found = found or re.search(r"\(([\w.\-]+(?:\s*\|\s*[\w.\-]+)+)\)", text)
    return {x.strip() for x in found.group(1).split("|")} if found else None


def cleared(spec, keep):
    """FULL values with every field outside keep cleared ('' / False)."""
    values = {}
    for f in spec.fields:
        if f.required or f.api_name in keep:
            values[f.api_name] = FULL[spec.name][f.api_name]
        else:
            values[f.api_name] = False if f.kind == "bool" else ""
    return values


def assert_botocore_accepts(spec, request, values=None):
    """The request is valid for the spec's operation; for a planned action (several calls),
    every call it plans is valid for its own operation."""
    for shape, each in sent_requests(spec, request, values or {}):
        validate_parameters(each, shape)


# -- the registry ---------------------------------------------------------------------


def test_the_actions_in_key_map_order_each_with_a_key():
    assert list(ACTIONS) == [
        "create",
        "copy",
        "export",
        "import",
        "register",
        "deregister",
        "usage-report",
        "deprecate",
        "undeprecate",
        "protect",
        "unprotect",
        "disable",
        "enable",
        "tags",
        "description",
        "sharing",
        "leave-shared",
    ]
    keyed = {name: key_for(name) for name in ACTIONS if key_for(name)}
    assert keyed == {
        "create": "n",
        "copy": "c",
        "export": "e",
        "import": "i",
        "register": "r",
        "deregister": "ctrl+d",
        "usage-report": "U",
        "tags": "T",
        "sharing": "P",
    }
    assert {s.operation for s in SPECS} == {
        "CreateImage",
        "CopyImage",
        "ExportImage",
        "ImportImage",
        "RegisterImage",
        "DeregisterImage",
        "CreateImageUsageReport",
        "EnableImageDeprecation",
        "DisableImageDeprecation",
        "EnableImageDeregistrationProtection",
        "DisableImageDeregistrationProtection",
        "DisableImage",
        "EnableImage",
        "CreateTags",
        "ModifyImageAttribute",
        "CancelImageLaunchPermission",
    }
    assert all(s.mutating for s in SPECS)
    assert get_action("copy") is ACTIONS["copy"]
    with pytest.raises(KeyError, match="known"):
        get_action("launch")


def test_specs_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ACTIONS["copy"].title = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ACTIONS["copy"].fields[0].required = False  # type: ignore[misc]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_field_hygiene(spec):
    names = [f.api_name for f in spec.fields]
    assert len(names) == len(set(names))
    assert spec.title and spec.summary
    for f in spec.fields:
        assert f.kind in FIELD_KINDS
        assert f.label and f.help and "\n" not in f.help, f.api_name
        assert f.prefill is None or f.prefill in PREFILL_KEYS
        assert f.lookup is None or f.lookup in LOOKUPS
        if f.kind == "choice":
            assert f.choices and (f.default is None or f.default in f.choices)
        if f.kind == "tags":
            assert f.resource_types
        assert f.check(f.default) is None or f.required, f"default of {f.api_name} is invalid"


# -- agreement with botocore's model ------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_api_fields_exist_with_matching_types(spec):
    kind_types = {
        "bool": {"boolean"},
        "int": {"integer", "long"},
        "text": {"string"},
        "choice": {"string"},
        "tags": {"list"},
        "list": {"list"},
        "regions": {"list"},
    }
    for f in spec.api_fields:
        shape = member_shape(input_shape(spec), f.api_name)
        assert shape.type_name in kind_types[f.kind], f"{f.api_name}: {shape.type_name}"
        if f.kind == "tags":
            assert f.api_name == "TagSpecifications"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_required_fields_match_the_model(spec):
    shape = input_shape(spec)
    ours = {f.api_name for f in spec.api_fields if f.required}
    ours |= {path for (name, path) in HOOK_BUILT if name == spec.name}
    model = set(required_leaves(shape))
    assert model <= ours, f"required by botocore, optional in the form: {model - ours}"
    stricter = {p for p in ours if not required_in_model(shape, p)}
    assert all(p in model for (name, p) in HOOK_BUILT if name == spec.name)
    allowed = {path for (name, path) in STRICTER if name == spec.name}
    assert stricter == allowed


def test_the_model_still_requires_what_the_design_table_says():
    expected = {
        "CreateImage": {"InstanceId", "Name"},
        "CopyImage": {"Name", "SourceImageId", "SourceRegion"},
        "DeregisterImage": {"ImageId"},
        "ExportImage": {"DiskImageFormat", "ImageId", "S3ExportLocation.S3Bucket"},
        "ImportImage": set(),
        "RegisterImage": {"Name"},
    }
    for op, required in expected.items():
        assert set(required_leaves(MODEL.operation_model(op).input_shape)) == required


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_choices_are_within_the_model_enums(spec):
    for f in spec.api_fields:
        if f.kind != "choice":
            continue
        shape = member_shape(input_shape(spec), f.api_name)
        allowed = (
            set(shape.enum)
            if shape.enum
            else DOC_ENUMS.get((spec.operation, f.api_name))
            or documented_values(_member_doc(input_shape(spec), f.api_name))
        )
        assert allowed, f"no enum or documented values for {f.api_name}"
        assert set(f.choices) <= allowed, f"{f.api_name}: {set(f.choices) - allowed}"


def _member_doc(shape, path):
    parts = path.split(".")
    parent = member_shape(shape, ".".join(parts[:-1])) if len(parts) > 1 else shape
    return parent.members[parts[-1]].documentation


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_tag_resource_types(spec):
    for f in spec.fields:
        if f.kind == "tags" and f.api:
            shape = member_shape(input_shape(spec), "TagSpecifications.0.ResourceType")
            assert set(f.resource_types) <= set(shape.enum) & TAG_TYPES[spec.operation]


@pytest.mark.parametrize(("action", "path"), [("copy", "Name"), ("create", "Name")])
def test_our_limits_are_at_least_the_models(action, path):
    spec = get_action(action)
    shape = member_shape(input_shape(spec), path)
    f = spec.field(path)
    assert f.check("a" * shape.metadata["max"]) is None
    assert f.check("a" * (shape.metadata["max"] + 1))
    assert f.check("a" * (shape.metadata["min"] - 1))


# -- requests botocore accepts -------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@pytest.mark.parametrize("fill", ["full", "minimal"])
def test_valid_values_build_requests_botocore_accepts(spec, fill):
    minimal = cleared(spec, keep=CONDITIONALLY_REQUIRED.get(spec.name, ()))
    values = FULL[spec.name] if fill == "full" else minimal
    assert spec.validate(values) == {}
    for dry_run in (False, True):
        for _region, request in spec.build_requests(values, region="us-east-1", dry_run=dry_run):
            assert_botocore_accepts(spec, request, values)
            assert request.get("DryRun", False) is dry_run


def _without_token(request):
    return {k: x for k, x in request.items() if k != "ClientToken"}


def test_exact_requests():
    build = {name: _without_token(ACTIONS[name].build_request(FULL[name])) for name in FULL}
    tags = [{"Key": "team", "Value": "platform"}, {"Key": "env", "Value": "prod"}]
    assert build["create"] == {
        "InstanceId": "i-0123456789abcdef0",
        "Name": "web (nightly) [2026-01-01]",
        "Description": "nightly image",
        "NoReboot": True,
        "TagSpecifications": [
            {"ResourceType": "image", "Tags": tags},
            {"ResourceType": "snapshot", "Tags": tags},
        ],
    }
    assert build["export"] == {
        "ImageId": AMI,
        "DiskImageFormat": "VHD",
        "S3ExportLocation": {"S3Bucket": "my-exports", "S3Prefix": "exports/"},
        "RoleName": "vmimport",
        "Description": "to S3",
    }
    assert build["import"]["DiskContainers"] == [
        {"Format": "OVA", "UserBucket": {"S3Bucket": "my-vm-images", "S3Key": "disks/server.ova"}},
        {"Format": "VMDK", "UserBucket": {"S3Bucket": "my-vm-images", "S3Key": "d2.vmdk"}},
        {"Format": "VHD", "Url": "https://example.com/d3.vhd"},
    ]
    assert "AdditionalDisks" not in build["import"]
    assert build["register"]["BlockDeviceMappings"] == [
        {
            "DeviceName": "/dev/sda1",
            "Ebs": {"SnapshotId": SNAP, "VolumeSize": 16, "VolumeType": "io2", "Iops": 3000},
        }
    ]
    assert build["register"]["RootDeviceName"] == "/dev/sda1"
    assert build["register"]["TagSpecifications"] == [
        {"ResourceType": "image", "Tags": [{"Key": "Name", "Value": "x"}]}
    ]
    assert build["deregister"] == {"ImageId": AMI, "DeleteAssociatedSnapshots": True}


def test_empty_optionals_and_false_booleans_are_omitted():
    spec = get_action("create")
    request = spec.build_request(cleared(spec, keep=()))
    assert request == {"InstanceId": "i-0123456789abcdef0", "Name": "web (nightly) [2026-01-01]"}


def test_import_by_url():
    spec = get_action("import")
    values = cleared(spec, keep=()) | {BUCKET: "", S3KEY: "", URL: "https://example.com/a.ova"}
    request = spec.build_request(values)
    assert request["DiskContainers"] == [{"Format": "OVA", "Url": "https://example.com/a.ova"}]
    assert_botocore_accepts(spec, request)


def test_copy_fans_out_one_call_per_destination_region():
    spec = get_action("copy")
    calls = spec.build_requests(FULL["copy"])
    assert [region for region, _ in calls] == ["us-west-2", "eu-west-1"]
    tokens = {request["ClientToken"] for _, request in calls}
    assert len(tokens) == 2 and all(0 < len(t) <= 128 for t in tokens)
    assert _without_token(calls[0][1]) == _without_token(calls[1][1])
    assert "DestinationRegions" not in calls[0][1]
    given_token = spec.build_requests(FULL["copy"] | {"ClientToken": "mine"})
    assert {r["ClientToken"] for _, r in given_token} == {"mine"}
    listed = spec.build_requests(FULL["copy"] | {"DestinationRegions": ["eu-west-1", "eu-west-1"]})
    assert [region for region, _ in listed] == ["eu-west-1"]


def test_non_fan_out_calls_in_the_given_region():
    spec = get_action("export")
    [(region, request)] = spec.build_requests(FULL["export"], region="eu-west-2")
    assert region == "eu-west-2" and request["ClientToken"]
    assert "ClientToken" not in get_action("create").build_request(FULL["create"])
    assert spec.dry_run_request(FULL["export"])["DryRun"] is True


OPTIONAL_CHOICE = st.data()


@settings(max_examples=60, deadline=None)
@given(spec=st.sampled_from(SPECS), data=st.data())
def test_any_accepted_combination_is_accepted_by_botocore(spec, data):
    optional = [f.api_name for f in spec.fields if not f.required]
    keep = data.draw(st.sets(st.sampled_from(optional)) if optional else st.just(set()))
    values = cleared(spec, keep)
    errors = spec.validate(values)
    assert set(errors) <= {f.api_name for f in spec.fields} | {FORM_ERROR}
    if errors:
        with pytest.raises(InvalidForm) as raised:
            spec.build_request(values)
        assert raised.value.errors == errors
        return
    for _region, request in spec.build_requests(values):
        assert_botocore_accepts(spec, request, values)


FUZZ = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "[bold]", "true", "15", AMI, "us-east-1", "a=b", "\x00"]),
    st.booleans(),
    st.integers(),
    st.none(),
    st.lists(st.text(max_size=12), max_size=3),
)


@settings(max_examples=150, deadline=None)
@given(spec=st.sampled_from(SPECS), data=st.data())
def test_validate_never_raises(spec, data):
    values = {f.api_name: data.draw(FUZZ) for f in spec.fields}
    errors = spec.validate(values)
    assert set(errors) <= {f.api_name for f in spec.fields} | {FORM_ERROR}
    assert all(isinstance(m, str) and m for m in errors.values())
    if not errors:
        for _region, request in spec.build_requests(values):
            assert_botocore_accepts(spec, request, values)


# -- invalid forms: messages keyed by field ----------------------------------------------

INVALID = [
    ("copy", {"SourceImageId": "ami-xyz"}, "SourceImageId", "hex digits"),
    ("copy", {"SourceRegion": "us-eats-1"}, "SourceRegion", "not a region"),
    ("copy", {"DestinationRegions": "us-west-2 mars-1"}, "DestinationRegions", "not a region"),
    ("copy", {"DestinationRegions": ""}, "DestinationRegions", "Required"),
    ("copy", {"Name": "ab"}, "Name", "3 to 128"),
    ("copy", {"Name": "name;drop"}, "Name", "not allowed"),
    ("copy", {"Encrypted": False}, "KmsKeyId", "Encrypted"),
    (
        "copy",
        {"KmsKeyId": f"arn:aws:kms:eu-west-1:012345678910:key/{KEY_ID}"},
        "KmsKeyId",
        "eu-west-1",
    ),
    ("copy", {"SnapshotCopyCompletionDurationMinutes": "20"}, None, "multiple of 15"),
    ("copy", {"SnapshotCopyCompletionDurationMinutes": "abc"}, None, "whole number"),
    ("copy", {"TagSpecifications": "aws:x=1"}, "TagSpecifications", "reserved"),
    ("copy", {"Encrypted": "maybe"}, "Encrypted", "on or off"),
    ("copy", {"DestinationRegions": ["us-west-2", 7]}, "DestinationRegions", "list of text"),
    ("create", {"InstanceId": ""}, "InstanceId", "Required"),
    ("create", {"InstanceId": "ami-12345678"}, "InstanceId", "starts with i-"),
    ("create", {"Description": "x" * 256}, "Description", "255"),
    ("export", {"S3ExportLocation.S3Bucket": "My_Bucket"}, "S3ExportLocation.S3Bucket", "lower"),
    ("export", {"S3ExportLocation.S3Bucket": ""}, "S3ExportLocation.S3Bucket", "Required"),
    ("export", {"DiskImageFormat": "OVA"}, "DiskImageFormat", "Choose one of"),
    ("export", {"RoleName": "arn:aws:iam::123456789012:role/x"}, "RoleName", "not an ARN"),
    ("import", {BUCKET: "", S3KEY: ""}, BUCKET, "Give the disk image"),
    ("import", {URL: "https://example.com/a.ova"}, URL, "not both"),
    ("import", {S3KEY: ""}, S3KEY, "Required with a bucket"),
    ("import", {BUCKET: ""}, BUCKET, "Required with a key"),
    ("import", {URL: "ftp://x/y", BUCKET: "", S3KEY: ""}, URL, "https://"),
    ("import", {"AdditionalDisks": "QCOW2 s3://b-b/k"}, "AdditionalDisks", "Expected FORMAT"),
    ("import", {"BootMode": "uefi-preferred"}, "BootMode", "Choose one of"),
    ("import", {"Encrypted": False}, "KmsKeyId", "Encrypted"),
    ("register", {IOPS: ""}, IOPS, "Required for io2"),
    ("register", {VOLUME_TYPE: "gp2"}, IOPS, "io1, io2 and gp3"),
    ("register", {VOLUME_TYPE: "st1"}, VOLUME_TYPE, "Choose one of"),
    ("register", {"Architecture": "arm64", "BootMode": "legacy-bios"}, "BootMode", "UEFI"),
    ("register", {"BootMode": ""}, "TpmSupport", "uefi"),
    ("register", {"VirtualizationType": "paravirtual"}, "EnaSupport", "hvm"),
    (
        "register",
        {"VirtualizationType": "paravirtual", "Architecture": "arm64", "BootMode": "uefi"},
        "VirtualizationType",
        "i386 and x86_64",
    ),
    ("register", {"RootDeviceName": "sda1"}, "RootDeviceName", "/dev/"),
    ("register", {"Architecture": ""}, "Architecture", "Required"),
    ("register", {SNAP_FIELD: "vol-12345678"}, SNAP_FIELD, "snap-"),
    ("register", {"BlockDeviceMappings.0.Ebs.VolumeSize": "0"}, None, "from 1"),
    ("deregister", {"ConfirmImageId": "ami-87654321"}, "ConfirmImageId", "Does not match"),
    ("deregister", {"ConfirmImageId": ""}, "ConfirmImageId", "Required"),
]


@pytest.mark.parametrize(("action", "changes", "key", "fragment"), INVALID)
def test_invalid_values_are_reported_under_their_field(action, changes, key, fragment):
    spec = get_action(action)
    values = FULL[action] | changes
    errors = spec.validate(values)
    key = key or next(iter(changes))
    assert key in errors, errors
    assert fragment in errors[key]
    with pytest.raises(InvalidForm):
        spec.build_request(values)


def test_missing_keys_take_defaults():
    spec = get_action("register")
    values = {"Name": "from-snap", SNAP_FIELD: SNAP}
    assert spec.validate(values) == {}
    request = spec.build_request(values)
    assert request["Architecture"] == "x86_64"
    assert request["VirtualizationType"] == "hvm"
    assert request["RootDeviceName"] == "/dev/xvda"
    assert request["EnaSupport"] is True


# -- prefill and value shapes ------------------------------------------------------------

CONTEXT = {"image_id": AMI, "image_name": "web [prod]", "region": "eu-central-1"}


def test_copy_prefills_from_the_selected_image():
    values = get_action("copy").initial_values(CONTEXT)
    assert values["SourceImageId"] == AMI
    assert values["SourceRegion"] == "eu-central-1"
    assert values["Name"] == "web [prod]-copy"
    assert values["Encrypted"] is False


def test_copy_name_stays_within_128_characters():
    spec = get_action("copy")
    values = spec.initial_values({**CONTEXT, "image_name": "n" * 128})
    assert len(values["Name"]) == 128 and values["Name"].endswith("-copy")
    assert spec.field("Name").check(values["Name"]) is None


@pytest.mark.parametrize("action", ["export", "deregister"])
def test_image_id_prefill(action):
    assert get_action(action).initial_values(CONTEXT)["ImageId"] == AMI


def test_deregister_needs_the_id_typed_back_and_snapshot_deletion_is_opt_in():
    spec = get_action("deregister")
    values = spec.initial_values(CONTEXT)
    assert values["DeleteAssociatedSnapshots"] is False
    assert spec.validate(values) == {"ConfirmImageId": "Required."}
    assert spec.build_request(values | {"ConfirmImageId": AMI}) == {"ImageId": AMI}
    assert "permanent" in spec.field("ConfirmImageId").help


def test_create_warns_about_the_reboot():
    field = get_action("create").field("NoReboot")
    assert field.default is False and "REBOOTS" in field.help


def test_register_defaults_differ_from_the_api():
    values = get_action("register").initial_values()
    assert values["Architecture"] == "x86_64" and values["VirtualizationType"] == "hvm"


def test_value_shapes_from_widgets():
    spec = get_action("copy")
    values = FULL["copy"] | {
        "DestinationRegions": ["us-west-2", " eu-west-1 "],
        "Encrypted": "true",
        "SnapshotCopyCompletionDurationMinutes": 60,
        "TagSpecifications": {"a": "b"},
    }
    assert spec.validate(values) == {}
    [(_, first), (region, _)] = spec.build_requests(values)
    assert region == "eu-west-1"
    assert first["SnapshotCopyCompletionDurationMinutes"] == 60
    assert first["TagSpecifications"][0]["Tags"] == [{"Key": "a", "Value": "b"}]
    pairs = FULL["copy"] | {"TagSpecifications": [("a", "b"), ("aws:x", "c")]}
    assert "reserved" in spec.validate(pairs)["TagSpecifications"]


def test_set_path_builds_nested_dicts_and_lists():
    request: dict = {}
    set_path(request, "A.B", 1)
    set_path(request, "L.1.C", 2)
    set_path(request, "L.0.C", 3)
    assert request == {"A": {"B": 1}, "L": [{"C": 3}, {"C": 2}]}


def test_botocore_would_catch_a_leaked_form_only_field():
    spec = get_action("copy")
    request = spec.build_request(FULL["copy"]) | {"DestinationRegions": ["us-west-2"]}
    with pytest.raises(ParamValidationError):
        assert_botocore_accepts(spec, request)
