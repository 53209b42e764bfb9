"""Sandbox.reset restores a snapshot of its first seeding instead of seeding again: what
every read call answers after a restore is what it answered after a full seeding, however
much was changed in between, and the next ids it makes are the same ones."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import boto3

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
OTHER_ACCOUNTS = ("210987654321", "345678901234")


def client(sandbox, service: str, region: str = "us-east-1") -> Any:
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=sandbox.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def without_metadata(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def bin_times(entries: list[dict]) -> list[tuple[datetime, datetime]]:
    return [(e.pop("RecycleBinEnterTime"), e.pop("RecycleBinExitTime")) for e in entries]


def view(sandbox) -> dict[str, Any]:
    """Every kind of thing the seeding makes, as the read calls answer it."""
    seen: dict[str, Any] = {}
    for region in REGIONS:
        ec2 = client(sandbox, "ec2", region)
        # the account's own, those shared with it, and the other accounts' public ones
        # (moto's 1,300 Amazon images are left out: they are not seeded, only dated)
        own = ec2.describe_images(Owners=["self"], IncludeDisabled=True)["Images"]
        others = ec2.describe_images(
            Owners=list(OTHER_ACCOUNTS), IncludeDeprecated=True, IncludeDisabled=True
        )["Images"]
        shared = ec2.describe_images(ExecutableUsers=["self"], IncludeDeprecated=True)["Images"]
        seen[f"images {region}"] = sorted(own + others, key=lambda i: i["ImageId"])
        seen[f"shared {region}"] = sorted(i["ImageId"] for i in shared)
        # the image change_everything shares, and a sample of the others
        ids = sorted(i["ImageId"] for i in own)
        sampled = sorted({*ids[::25], *(set(ids) & {sandbox.summary.usage["unused"]})})
        seen[f"permissions {region}"] = {
            image: ec2.describe_image_attribute(ImageId=image, Attribute="launchPermission")[
                "LaunchPermissions"
            ]
            for image in sampled
        }
        seen[f"snapshots {region}"] = ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]
        seen[f"instances {region}"] = ec2.describe_instances()["Reservations"]
        seen[f"templates {region}"] = ec2.describe_launch_templates()["LaunchTemplates"]
        seen[f"block public {region}"] = without_metadata(ec2.get_image_block_public_access_state())
        seen[f"exports {region}"] = ec2.describe_export_image_tasks()["ExportImageTasks"]
        seen[f"imports {region}"] = ec2.describe_import_image_tasks()["ImportImageTasks"]
        binned = ec2.list_images_in_recycle_bin()["Images"]
        seen[f"bin times {region}"] = bin_times(binned)
        seen[f"bin {region}"] = binned
        rbin = client(sandbox, "rbin", region)
        rules = rbin.list_rules(ResourceType="EC2_IMAGE")["Rules"]
        seen[f"rules {region}"] = [
            without_metadata(rbin.get_rule(Identifier=r["Identifier"])) for r in rules
        ]
    summary = sandbox.summary
    ec2 = client(sandbox, "ec2")
    usage = summary.usage
    seen["references"] = ec2.describe_image_references(
        ImageIds=[usage[role] for role in ("instance_only", "launch_template_v3", "ssm_only")],
        IncludeAllResourceTypes=True,
    )["ImageReferences"]
    seen["ancestry"] = client(sandbox, "ec2", "eu-west-1").get_image_ancestry(
        ImageId=usage["lineage_leaf"]
    )
    seen["ancestry"].pop("ResponseMetadata")
    seen["ssm"] = client(sandbox, "ssm").get_parameters_by_path(Path="/", Recursive=True)[
        "Parameters"
    ]
    seen["groups"] = client(sandbox, "autoscaling").describe_auto_scaling_groups()[
        "AutoScalingGroups"
    ]
    seen["buckets"] = sorted(b["Name"] for b in client(sandbox, "s3").list_buckets()["Buckets"])
    seen["summary"] = (
        summary.images,
        summary.instances,
        summary.snapshots,
        summary.buckets,
        summary.others,
        summary.usage,
        summary.lifecycle,
        summary.cleanup,
    )
    return seen


def change_everything(sandbox) -> dict[str, str]:
    """A copy, a deregistration into the bin, a restore, tags, a share, protection, a
    deleted snapshot, a rule, a task: returns the ids the sandbox made."""
    summary = sandbox.summary
    ec2 = client(sandbox, "ec2")
    lifecycle, cleanup = summary.lifecycle, summary.cleanup
    free = summary.usage["unused"]
    made = {
        "copy": ec2.copy_image(
            Name="made-then-reset", SourceImageId=free, SourceRegion="us-east-1"
        )["ImageId"]
    }
    ec2.create_tags(Resources=[free], Tags=[{"Key": "Team", "Value": "changed"}])
    ec2.modify_image_attribute(ImageId=free, LaunchPermission={"Add": [{"UserId": "111122223333"}]})
    ec2.enable_image_deregistration_protection(ImageId=summary.usage["unused_2"])
    family = next(iter(cleanup["families"].values()))
    ec2r = client(sandbox, "ec2", family["region"])
    ec2r.deregister_image(ImageId=family["images"][-1])
    if cleanup["in_bin"]:
        client(sandbox, "ec2", cleanup["rbin_region"]).restore_image_from_recycle_bin(
            ImageId=cleanup["in_bin"][0]
        )
    region, orphans = next(iter(cleanup["orphans"].items()))
    client(sandbox, "ec2", region).delete_snapshot(SnapshotId=orphans[0])
    made["rule"] = client(sandbox, "rbin", "eu-west-1").create_rule(
        ResourceType="EC2_IMAGE",
        RetentionPeriod={"RetentionPeriodValue": 3, "RetentionPeriodUnit": "DAYS"},
    )["Identifier"]
    made["report"] = ec2.create_image_usage_report(
        ImageId=lifecycle.get("shared_with_org", free),
        ResourceTypes=[{"ResourceType": "ec2:Instance"}],
    )["ReportId"]
    bucket, _ = summary.buckets["us-east-1"]
    made["export"] = ec2.export_image(
        ImageId=free, DiskImageFormat="VMDK", S3ExportLocation={"S3Bucket": bucket}
    )["ExportImageTaskId"]
    return made


def test_a_restored_seeding_answers_as_a_full_one_and_makes_the_same_ids(sandbox):
    try:
        sandbox.reset(restore=False)  # a full seeding (and the snapshot restores copy)
        fresh = view(sandbox)
        first_ids = change_everything(sandbox)
        assert view(sandbox) != fresh  # the changes are seen by the view
        for _ in range(2):  # the snapshot itself is not changed by what follows a restore
            before = time.time()
            sandbox.reset()
            restored = view(sandbox)
            times = {k: restored.pop(k) for k in list(restored) if k.startswith("bin times")}
            expected = {k: v for k, v in fresh.items() if not k.startswith("bin times")}
            assert restored == expected
            # the bin's clock is the real one: as if seeded now, each for as long as before
            for key, entries in times.items():
                assert len(entries) == len(fresh[key])
                for (enter, leave), (was_enter, was_leave) in zip(entries, fresh[key], strict=True):
                    assert enter.timestamp() >= int(before) - 1
                    assert leave - enter == was_leave - was_enter
            assert change_everything(sandbox) == first_ids  # moto's ids repeat
    finally:
        sandbox.reset()
