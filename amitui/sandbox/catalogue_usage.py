"""The seeded catalogue's images in use (issue 15), and how each is used.

Seeded after the catalogue (catalogue.py), through the sandbox's own endpoint with
boto3 as a user would (RunInstances, CreateLaunchTemplate(Version), SSM PutParameter,
Auto Scaling), plus what only the sandbox keeps (Image Builder recipes, protection,
lineage, other accounts' use). The roles reuse images the catalogue already has, so
its counts stay what they were; all in us-east-1 except ``lineage_copy`` and
``lineage_leaf`` (eu-west-1).
``SeedSummary.usage`` maps each role to its image id:

* ``instance_only``: used only by the running instance ``usage-instance-1``.
* ``launch_template_v3``: used only by version 3 of 5 of launch template
  ``app-fleet`` (versions 1, 2, 4, 5 name ``app_fleet_other`` images; default 1).
* ``asg_latest``: used only by ASG ``web-asg`` through launch template
  ``web-asg-template`` ``$Latest`` (version 2); ``$Default`` (version 1) is
  ``asg_default``, which ASG ``batch-asg`` uses through ``$Default``.
* ``asg_explicit``: ASG ``api-asg`` through ``api-template`` version ``1`` (of 2).
* ``asg_launch_configuration``: used only by ASG ``legacy-asg`` through launch
  configuration ``legacy-lc`` (DescribeImageReferences does not see those).
* ``ssm_only``: used only by SSM parameter ``/golden/payments/ami``.
* ``image_recipe_only`` / ``container_recipe_only``: used only by an Image Builder
  image recipe / container recipe.
* ``protected`` (enabled-without-cooldown), ``protected_cooldown`` (enabled-with-cooldown).
* ``shared``: shared with accounts 210987654321 and 456789012345, which both use it
  (the usage report counts, ``SHARED_CONSUMERS``).
* ``lineage_root`` (us-east-1) <- ``lineage_copy`` (eu-west-1, copied from the root)
  <- ``lineage_leaf`` (eu-west-1, created from an instance of the copy).
* ``unused``, ``unused_2``: in no use at all.

ASGs have no instances (capacity 0), so only their launch template or
configuration ties them to an image.
"""

from __future__ import annotations

from datetime import timedelta
from random import Random
from typing import Any

import boto3
from botocore.config import Config

from .amis import SandboxAmi
from .catalogue_others import CATALOGUE_DAY, PARTNER_ACCOUNT
from .moto_compat import ec2_backends
from .protection import iso_seconds
from .state import SandboxState
from .usage_state import Recipe

REGION = "us-east-1"
LINEAGE_COPY_REGION = "eu-west-1"
SECOND_CONSUMER = "456789012345"
SHARED_CONSUMERS = {
    PARTNER_ACCOUNT: {"ec2:Instance": 3, "ec2:LaunchTemplate": 1},
    SECOND_CONSUMER: {"ec2:Instance": 2, "imagebuilder:ImageRecipe": 1},
}
ROLES = (
    "instance_only",
    "launch_template_v3",
    "asg_latest",
    "asg_default",
    "asg_explicit",
    "asg_launch_configuration",
    "ssm_only",
    "image_recipe_only",
    "container_recipe_only",
    "protected",
    "protected_cooldown",
    "lineage_root",
    "unused",
    "unused_2",
)
FILLERS = 5  # app_fleet_other x 4, api-template's version 2


def _free_images(backend: Any, ids: list[str], used: set[str]) -> list[SandboxAmi]:
    """Own, available, current, unshared images that nothing uses yet."""
    free = []
    for ami_id in ids:
        ami = backend.amis.get(ami_id)
        if (
            isinstance(ami, SandboxAmi)
            and ami.state == "available"
            and not ami.deprecation_time
            and not ami.launch_permissions
            and ami_id not in used
        ):
            free.append(ami)
    return free


def endpoint_client(service: str, url: str, region: str = REGION) -> Any:
    """A boto3 client of the sandbox at ``url`` (seeding through the endpoint itself)."""
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )


def seed_usage(
    url: str, state: SandboxState, summary: Any, seed: int, account: str
) -> dict[str, str]:
    """Seed the roles above; return role -> image id."""
    backend = ec2_backends[account][REGION]
    used = {i.image_id for i in backend.all_instances()}
    free = _free_images(backend, summary.images[REGION], used)
    Random(f"usage/{seed}").shuffle(free)
    picked = {role: ami.id for role, ami in zip(ROLES, free, strict=False)}
    fillers = [ami.id for ami in free[len(ROLES) : len(ROLES) + FILLERS]]
    ec2, asg = endpoint_client("ec2", url), endpoint_client("autoscaling", url)
    # an instance
    ec2.run_instances(
        ImageId=picked["instance_only"],
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "usage-instance-1"}]}
        ],
    )
    # launch templates
    _template(ec2, "app-fleet", [*fillers[:2], picked["launch_template_v3"], *fillers[2:4]])
    _template(ec2, "web-asg-template", [picked["asg_default"], picked["asg_latest"]])
    _template(ec2, "api-template", [picked["asg_explicit"], fillers[4]])
    # Auto Scaling groups, no instances
    for name, template, version in (
        ("web-asg", "web-asg-template", "$Latest"),
        ("batch-asg", "web-asg-template", "$Default"),
        ("api-asg", "api-template", "1"),
    ):
        asg.create_auto_scaling_group(
            AutoScalingGroupName=name,
            LaunchTemplate={"LaunchTemplateName": template, "Version": version},
            MinSize=0,
            MaxSize=2,
            DesiredCapacity=0,
            AvailabilityZones=[f"{REGION}a"],
        )
    asg.create_launch_configuration(
        LaunchConfigurationName="legacy-lc",
        ImageId=picked["asg_launch_configuration"],
        InstanceType="t3.small",
    )
    asg.create_auto_scaling_group(
        AutoScalingGroupName="legacy-asg",
        LaunchConfigurationName="legacy-lc",
        MinSize=0,
        MaxSize=2,
        DesiredCapacity=0,
        AvailabilityZones=[f"{REGION}a"],
    )
    endpoint_client("ssm", url).put_parameter(
        Name="/golden/payments/ami",
        Value=picked["ssm_only"],
        Type="String",
        DataType="aws:ec2:image",
    )
    _seed_state(state, account, picked, summary)
    return picked


def _template(ec2: Any, name: str, images: list[str]) -> None:
    """A launch template whose version n names images[n-1]; the default stays 1."""
    created = ec2.create_launch_template(
        LaunchTemplateName=name,
        LaunchTemplateData={"ImageId": images[0], "InstanceType": "t3.small"},
    )
    template_id = created["LaunchTemplate"]["LaunchTemplateId"]
    for image_id in images[1:]:
        ec2.create_launch_template_version(
            LaunchTemplateId=template_id,
            LaunchTemplateData={"ImageId": image_id, "InstanceType": "t3.small"},
        )


def _seed_state(state: SandboxState, account: str, picked: dict[str, str], summary: Any) -> None:
    amis: dict[str, Any] = ec2_backends[account][REGION].amis
    book = state.book(account, REGION)
    arn = f"arn:aws:imagebuilder:{REGION}:{account}"
    book.recipes.extend(
        (
            Recipe(
                "imagebuilder:ImageRecipe",
                f"{arn}:image-recipe/base-hardening/1.0.0",
                picked["image_recipe_only"],
            ),
            Recipe(
                "imagebuilder:ContainerRecipe",
                f"{arn}:container-recipe/app-runtime/2.1.0",
                picked["container_recipe_only"],
            ),
        )
    )
    amis[picked["protected"]].protect(with_cooldown=False)
    amis[picked["protected_cooldown"]].protect(with_cooldown=True)
    # the shared image: one the catalogue already shares with the partner, and a second consumer
    shared = next(
        amis[i]
        for i in summary.images[REGION]
        if any(p.get("UserId") == PARTNER_ACCOUNT for p in amis[i].launch_permissions)
        and amis[i].state == "available"
    )
    shared.launch_permissions.append({"UserId": SECOND_CONSUMER})
    book.consumers[shared.id] = {a: dict(uses) for a, uses in SHARED_CONSUMERS.items()}
    picked["shared"] = shared.id
    # lineage: root (us-east-1) <- copy (eu-west-1) <- leaf (eu-west-1, from an instance)
    there = ec2_backends[account][LINEAGE_COPY_REGION]
    busy = {i.image_id for i in there.all_instances()}
    copy, leaf = _free_images(there, summary.images[LINEAGE_COPY_REGION], busy)[:2]
    copy.source_image_id, copy.source_image_region = picked["lineage_root"], REGION
    leaf.source_image_id, leaf.source_image_region = copy.id, LINEAGE_COPY_REGION
    leaf.instance_id = f"i-{leaf.id[4:]}"  # the (terminated) instance it was made from
    picked["lineage_copy"], picked["lineage_leaf"] = copy.id, leaf.id
    # last launches, at fixed moments (RunInstances above stamped "now")
    for days, role in ((3, "instance_only"), (40, "asg_latest"), (200, "asg_launch_configuration")):
        amis[picked[role]].last_launched = iso_seconds(CATALOGUE_DAY - timedelta(days=days))
    for region, instance_ids in summary.instances.items():
        backend = ec2_backends[account][region]
        for instance in backend.all_instances():
            ami = backend.amis.get(instance.image_id)
            if instance.id in instance_ids and isinstance(ami, SandboxAmi):
                ami.last_launched = iso_seconds(CATALOGUE_DAY - timedelta(days=1))
