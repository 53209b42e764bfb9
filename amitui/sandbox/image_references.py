"""DescribeImageReferences and GetImageAncestry, as EC2 answers them (issue 15).

DescribeImageReferences: ImageIds (1..10, each ``ami-`` + hex, each known in the
region, else InvalidAMIID.Malformed / InvalidAMIID.NotFound) and IncludeAllResourceTypes
and/or ResourceTypes (one of them: MissingParameter). The caller's own resources in
the region that name the images:

* ``ec2:Instance``: moto's instances; option ``state-name`` (default: every state).
* ``ec2:LaunchTemplate``: moto's launch templates, their ``version-depth`` most
  recent versions (1..10000, default 10, AWS's documented default); one reference
  per template, its ARN without a version (as in AWS's user guide example).
* ``ssm:Parameter``: moto's SSM parameters whose current value is the image id.
* ``imagebuilder:ImageRecipe`` / ``imagebuilder:ContainerRecipe``: the recipes in
  the sandbox state (moto 5.2.5 has no Image Builder).

With both, ResourceTypes' options override the defaults. MaxResults (5..1000) and
NextToken page the answer in a stable order.

GetImageAncestry: the image, then its SourceImageId in SourceImageRegion, and so on
to the root (an image without a source) or to a source that is gone; each entry's
CreationDate, ImageId, ImageOwnerAlias, SourceImageId and SourceImageRegion.
"""

from __future__ import annotations

from typing import Any, ClassVar

from . import errors
from .describe_images import check_image_id, visible_to
from .moto_compat import ActionResult, EC2BaseResponse, ec2_backends, ssm_parameter_values
from .pagination import check_max_results, fingerprint, paginate
from .state import SandboxState

RESOURCE_TYPES = (
    "ec2:Instance",
    "ec2:LaunchTemplate",
    "ssm:Parameter",
    "imagebuilder:ImageRecipe",
    "imagebuilder:ContainerRecipe",
)
INSTANCE_STATES = ("pending", "running", "shutting-down", "terminated", "stopping", "stopped")
DEFAULT_VERSION_DEPTH = 10
MAX_VERSION_DEPTH = 10000
MAX_IMAGE_IDS = 10
MIN_RESULTS, MAX_RESULTS = 5, 1000
OPTION_FOR = {"ec2:Instance": "state-name", "ec2:LaunchTemplate": "version-depth"}


def _options(resource_type: str, options: list[dict[str, Any]]) -> Any:
    """The scope for a type: instance states (a tuple) or a version depth (an int)."""
    wanted = OPTION_FOR.get(resource_type)
    scope: Any = INSTANCE_STATES if resource_type == "ec2:Instance" else DEFAULT_VERSION_DEPTH
    for option in options:
        name, values = option.get("OptionName"), option.get("OptionValues") or []
        if name != wanted:
            raise errors.invalid_parameter_value(
                f"The option {name} is not valid for the resource type {resource_type}."
            )
        if resource_type == "ec2:Instance":
            unknown = [v for v in values if v not in INSTANCE_STATES]
            if unknown or not values:
                raise errors.invalid_parameter_value(
                    f"Invalid value for state-name: {unknown or values}. "
                    f"Expecting one of {list(INSTANCE_STATES)}."
                )
            scope = tuple(values)
        else:
            if len(values) != 1 or not str(values[0]).isdigit():
                raise errors.invalid_parameter_value(f"Invalid value for version-depth: {values}")
            scope = int(values[0])
            if not 1 <= scope <= MAX_VERSION_DEPTH:
                raise errors.invalid_parameter_value(
                    f"Invalid value for version-depth: {scope}. "
                    f"Expecting an integer between 1 and {MAX_VERSION_DEPTH}."
                )
    return scope


class ImageReferencesMixin(EC2BaseResponse):
    sandbox_state: ClassVar[SandboxState]

    def describe_image_references(self) -> ActionResult:
        get = self._get_param
        ami_ids: list[str] = get("ImageIds", [])
        include_all = bool(get("IncludeAllResourceTypes", False))
        requested: list[dict[str, Any]] = get("ResourceTypes", [])
        max_results, next_token = get("MaxResults"), get("NextToken")
        if len(ami_ids) > MAX_IMAGE_IDS:
            raise errors.invalid_parameter_value(
                f"The maximum number of image IDs is {MAX_IMAGE_IDS} (got {len(ami_ids)})."
            )
        for ami_id in ami_ids:
            check_image_id(ami_id)
        if not include_all and not requested:
            raise errors.missing_parameter("IncludeAllResourceTypes or ResourceTypes")
        check_max_results(max_results, MIN_RESULTS, MAX_RESULTS)
        scopes: dict[str, Any] = {t: _options(t, []) for t in RESOURCE_TYPES} if include_all else {}
        for entry in requested:
            resource_type = entry.get("ResourceType")
            if resource_type not in RESOURCE_TYPES:
                raise errors.invalid_parameter_value(
                    f"Invalid resource type {resource_type}. "
                    f"Expecting one of {list(RESOURCE_TYPES)}."
                )
            scopes[resource_type] = _options(resource_type, entry.get("ResourceTypeOptions") or [])
        self.error_on_dryrun()
        backend = self.ec2_backend
        unknown = [i for i in ami_ids if i not in backend.amis and i not in backend.deleted_amis]
        if unknown:
            raise errors.ami_not_found(unknown)
        references = self._references(set(ami_ids), scopes)
        query = fingerprint(self.region, sorted(ami_ids), sorted(scopes.items(), key=str))
        page, token = paginate(
            references,
            key=lambda ref: f"{ref['ImageId']} {ref['Arn']}",
            max_results=max_results,
            next_token=next_token,
            query=query,
            default_page=MAX_RESULTS,
        )
        result: dict[str, Any] = {"ImageReferences": page}
        if token:
            result["NextToken"] = token
        return ActionResult(result)

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.current_account}:{resource}"

    def _references(self, ids: set[str], scopes: dict[str, Any]) -> list[dict[str, str]]:
        backend, found = self.ec2_backend, []

        def add(image_id: str, resource_type: str, arn: str) -> None:
            found.append({"ImageId": image_id, "ResourceType": resource_type, "Arn": arn})

        if "ec2:Instance" in scopes:
            for instance in backend.all_instances():
                if instance.image_id in ids and instance.state in scopes["ec2:Instance"]:
                    add(
                        instance.image_id,
                        "ec2:Instance",
                        self._arn("ec2", f"instance/{instance.id}"),
                    )
        if "ec2:LaunchTemplate" in scopes:
            depth = scopes["ec2:LaunchTemplate"]
            for template in list(backend.launch_templates.values()):
                named = {v.image_id for v in template.versions[-depth:]} & ids
                for image_id in sorted(named):
                    arn = self._arn("ec2", f"launch-template/{template.id}")
                    add(image_id, "ec2:LaunchTemplate", arn)
        if "ssm:Parameter" in scopes:
            for name, value in ssm_parameter_values(self.current_account, self.region):
                if value in ids:
                    add(value, "ssm:Parameter", self._arn("ssm", f"parameter/{name.lstrip('/')}"))
        book = self.sandbox_state.book(self.current_account, self.region)
        for recipe in list(book.recipes):
            if recipe.resource_type in scopes and recipe.image_id in ids:
                add(recipe.image_id, recipe.resource_type, recipe.arn)
        return found

    def get_image_ancestry(self) -> ActionResult:
        ami_id = check_image_id(self._get_param("ImageId"))
        self.error_on_dryrun()
        account = self.current_account
        ami = self.ec2_backend.amis.get(ami_id)
        if ami is None or not visible_to(ami, account):
            raise errors.ami_not_found([ami_id])
        entries, seen = [], set()
        while ami is not None and ami.id not in seen:
            seen.add(ami.id)
            source_id = getattr(ami, "source_image_id", None)
            source_region = getattr(ami, "source_image_region", None)
            entry: dict[str, Any] = {"CreationDate": ami.creation_date, "ImageId": ami.id}
            if ami.owner_alias:
                entry["ImageOwnerAlias"] = ami.owner_alias
            if source_id:
                entry.update(SourceImageId=source_id, SourceImageRegion=source_region)
            entries.append(entry)
            ami = None
            if source_id and source_region in ec2_backends[account].regions:
                parent = ec2_backends[account][source_region].amis.get(source_id)
                ami = parent if parent is not None and visible_to(parent, account) else None
        return ActionResult({"ImageAncestryEntries": entries})
