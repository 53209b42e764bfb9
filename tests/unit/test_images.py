from amitui.aws.images import Image, ListQuery

RAW = {
    "ImageId": "ami-0123456789abcdef0",
    "Name": "[bold]web[/bold]",
    "State": "available",
    "Architecture": "arm64",
    "PlatformDetails": "Linux/UNIX",
    "RootDeviceType": "ebs",
    "RootDeviceName": "/dev/xvda",
    "BlockDeviceMappings": [
        {"DeviceName": "/dev/xvdb", "Ebs": {"SnapshotId": "snap-1", "VolumeSize": 100}},
        {"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": "snap-0", "VolumeSize": 8}},
        {"DeviceName": "/dev/sdc", "VirtualName": "ephemeral0"},
    ],
    "CreationDate": "2024-03-01T10:00:00.000Z",
    "OwnerId": "123456789012",
    "ImageOwnerAlias": "amazon",
    "Public": True,
    "DeprecationTime": "2026-03-01T10:00:00.000Z",
    "Tags": [{"Key": "Team", "Value": "web"}],
}


def test_from_api_keeps_what_the_table_needs():
    image = Image.from_api(RAW, "eu-west-1")
    assert image.image_id == "ami-0123456789abcdef0"
    assert image.region == "eu-west-1"
    assert image.name == "[bold]web[/bold]"
    assert image.root_size_gib == 8  # the root device's volume, not the first mapping
    assert image.root_device == "ebs 8 GiB"
    assert image.snapshot_ids == ("snap-1", "snap-0")
    assert image.owner == "amazon"
    assert image.public is True
    assert image.tag("Team") == "web" and image.tag("Env") is None


def test_from_api_tolerates_a_sparse_record():
    image = Image.from_api({"ImageId": "ami-12345678"}, "us-east-1")
    assert image.name == "" and image.root_size_gib is None and image.tags == ()
    assert image.owner == ""


def test_image_is_slotted():
    assert not hasattr(Image.from_api(RAW, "r"), "__dict__")


def test_list_query_request():
    assert ListQuery().request() == {"Owners": ["self"]}
    q = ListQuery(owners=("amazon",), include_deprecated=True, include_disabled=True)
    assert q.request() == {"Owners": ["amazon"], "IncludeDeprecated": True, "IncludeDisabled": True}
    assert ListQuery(owners=(), executable_by_me=True).request() == {"ExecutableUsers": ["self"]}
