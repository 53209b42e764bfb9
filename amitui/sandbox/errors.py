"""AWS-shaped errors the sandbox raises.

Each one is a moto ``EC2ClientError`` (a ``ServiceException``), so moto serializes it
as an EC2 error response (HTTP 400, ``<Code>`` and ``<Message>``) that botocore turns
into a ``ClientError`` with that code. Codes are the ones AWS documents for EC2;
where AWS's exact wording is unknown the message says what went wrong plainly.
"""

from __future__ import annotations

from .moto_compat import EC2ClientError


def invalid_parameter_value(message: str) -> EC2ClientError:
    return EC2ClientError("InvalidParameterValue", message)


def invalid_parameter(message: str) -> EC2ClientError:
    return EC2ClientError("InvalidParameter", message)


def invalid_parameter_combination(message: str) -> EC2ClientError:
    return EC2ClientError("InvalidParameterCombination", message)


def invalid_filter(name: str) -> EC2ClientError:
    return invalid_parameter_value(f"The filter '{name}' is invalid")


def missing_action() -> EC2ClientError:
    return EC2ClientError("MissingAction", "The request must contain the parameter Action")


def unknown_parameter(name: str) -> EC2ClientError:
    return EC2ClientError("UnknownParameter", f"The parameter {name} is not recognized")


def unsupported_operation(action: str) -> EC2ClientError:
    return EC2ClientError(
        "UnsupportedOperation", f"The action {action} is not supported by the amitui sandbox."
    )


def invalid_action(action: str) -> EC2ClientError:
    return EC2ClientError(
        "InvalidAction", f"The action {action} is not valid for this web service."
    )


def malformed_parameter(name: str, value: object) -> EC2ClientError:
    return invalid_parameter_value(f"Value ({value}) for parameter {name} is invalid.")


def s3_object_not_local(region: str) -> EC2ClientError:
    return invalid_parameter(
        f"The given S3 object is not local to the region. The object must be located in {region}."
    )


def s3_bucket_not_local(region: str) -> EC2ClientError:
    return invalid_parameter(
        f"The given S3 bucket is not local to the region. The bucket must be located in {region}."
    )


def s3_object_not_found(bucket: str, key: str) -> EC2ClientError:
    return invalid_parameter(f"The given S3 object does not exist: s3://{bucket}/{key}")


def export_encrypted(image_id: str) -> EC2ClientError:
    return invalid_parameter(
        f"Image {image_id} has encrypted EBS snapshots in its block device mapping; "
        "an image with encrypted snapshots cannot be exported."
    )


def export_not_owned(image_id: str) -> EC2ClientError:
    return invalid_parameter(
        f"Image {image_id} is shared with you by another account; "
        "only the owner of an image can export it."
    )


def missing_parameter(name: str) -> EC2ClientError:
    return EC2ClientError("MissingParameter", f"The request must contain the parameter {name}")


def incorrect_state(message: str) -> EC2ClientError:
    return EC2ClientError("IncorrectState", message)


def idempotent_parameter_mismatch(token: str) -> EC2ClientError:
    return EC2ClientError(
        "IdempotentParameterMismatch",
        f"The client token '{token}' was already used with different parameters.",
    )


def max_results_out_of_range(value: int, low: int, high: int) -> EC2ClientError:
    return invalid_parameter_value(
        f"Value ( {value} ) for parameter maxResults is invalid. "
        f"Expecting a value between {low} and {high}."
    )


def invalid_next_token(token: str) -> EC2ClientError:
    return invalid_parameter_value(f"Invalid value '{token}' for nextToken.")


def ami_name_in_use(name: str, image_id: str) -> EC2ClientError:
    return EC2ClientError(
        "InvalidAMIName.Duplicate", f"AMI name {name} is already in use by AMI {image_id}"
    )


def ami_not_found(ami_ids: list[str]) -> EC2ClientError:
    listed = ", ".join(ami_ids)
    return EC2ClientError("InvalidAMIID.NotFound", f"The image id '[{listed}]' does not exist")


def malformed_ami_id(ami_id: str) -> EC2ClientError:
    return EC2ClientError("InvalidAMIID.Malformed", f'Invalid id: "{ami_id}" (expecting "ami-...")')


def malformed_instance_id(instance_id: str) -> EC2ClientError:
    return EC2ClientError("InvalidInstanceID.Malformed", f'Invalid id: "{instance_id}"')


def snapshot_not_found(snapshot_id: str) -> EC2ClientError:
    return EC2ClientError(
        "InvalidSnapshot.NotFound", f"The snapshot '{snapshot_id}' does not exist."
    )


def malformed_snapshot_id(snapshot_id: str) -> EC2ClientError:
    return EC2ClientError(
        "InvalidSnapshotID.Malformed", f'Invalid id: "{snapshot_id}" (expecting "snap-...")'
    )


def bucket_not_found(bucket: str) -> EC2ClientError:
    return invalid_parameter(f"The S3 bucket '{bucket}' does not exist or is not accessible.")


def export_task_malformed(task_id: str) -> EC2ClientError:
    return EC2ClientError(
        "InvalidExportTaskID.Malformed", f'Invalid id: "{task_id}" (expecting "export-ami-...")'
    )


def export_task_not_found(task_id: str) -> EC2ClientError:
    return EC2ClientError(
        "InvalidExportTaskID.NotFound", f"The export task ID '{task_id}' does not exist."
    )


def import_task_malformed(task_id: str) -> EC2ClientError:
    return EC2ClientError(
        "InvalidConversionTaskId.Malformed",
        f'Invalid id: "{task_id}" (expecting "import-ami-...")',
    )


def import_task_not_found(task_id: str) -> EC2ClientError:
    return EC2ClientError(
        "InvalidConversionTaskId", f"The import task ID '{task_id}' does not exist."
    )


def invalid_region(region: str) -> EC2ClientError:
    return invalid_parameter_value(f"Invalid value '{region}' for SourceRegion.")


def kms_requires_encrypted() -> EC2ClientError:
    return EC2ClientError(
        "InvalidParameterDependency",
        "The parameter KmsKeyId requires the parameter Encrypted to be set.",
    )


# -- issue 15 (references, protection, usage reports) ------------------------------
# Codes: OperationNotPermitted for a protected image is what another EC2 emulator
# answers (AWS's own page does not list it); InvalidAMIID.*, AuthFailure,
# InvalidParameterValue and MissingParameter are EC2's common codes. The messages
# are ours where AWS's wording was not found.


def image_protected(image_id: str) -> EC2ClientError:
    return EC2ClientError(
        "OperationNotPermitted",
        f"The image {image_id} has deregistration protection enabled "
        "(or disabled less than 24 hours ago with a cooldown) and cannot be deregistered.",
    )


def not_image_owner(image_id: str) -> EC2ClientError:
    return EC2ClientError("AuthFailure", f"Not authorized for image:{image_id}")


def usage_report_not_found(report_ids: list[str]) -> EC2ClientError:
    listed = ", ".join(report_ids)
    return EC2ClientError(
        "InvalidImageUsageReportId.NotFound", f"The image usage report ID '{listed}' does not exist"
    )


# -- issue 16 (lifecycle and sharing) -----------------------------------------------
# From AWS's own words: OperationNotPermitted with the block-public-access message
# (as users quote EC2's answer), TagLimitExceeded (EC2's error code list). The other
# codes are EC2's common ones (InvalidParameterValue, InvalidAMIAttributeItemValue,
# IncorrectState, InvalidParameterCombination); their messages are ours where AWS's
# wording was not found.


def public_sharing_blocked() -> EC2ClientError:
    return EC2ClientError(
        "OperationNotPermitted",
        "You can\u2019t publicly share this image because block public access for AMIs is "
        "enabled for this account. To publicly share the image, you must call the "
        "DisableImageBlockPublicAccess API.",
    )


def invalid_launch_permission(kind: str, value: object) -> EC2ClientError:
    return EC2ClientError(
        "InvalidAMIAttributeItemValue",
        f'Invalid attribute item value "{value}" for {kind} item type.',
    )


def deprecation_in_past(when: str) -> EC2ClientError:
    return invalid_parameter_value(
        f"The deprecation time {when} is in the past. Specify a date and time in the future."
    )


def deprecation_too_late(when: str, limit: str, why: str) -> EC2ClientError:
    return invalid_parameter_value(
        f"The deprecation time {when} is too far in the future: {why}, at most {limit}."
    )


def image_not_available(image_id: str, state: str, action: str) -> EC2ClientError:
    return incorrect_state(f"The image {image_id} is {state}; {action} needs an available image.")


def image_not_disabled(image_id: str, state: str) -> EC2ClientError:
    return incorrect_state(f"The image {image_id} is {state}, not disabled.")


def disabled_image_not_shareable(image_id: str) -> EC2ClientError:
    return incorrect_state(f"The image {image_id} is disabled; a disabled image can't be shared.")


def not_shared_with_you(image_id: str) -> EC2ClientError:
    return invalid_parameter_value(
        f"The image {image_id} is not shared with your account by its own launch permission "
        "(only an image shared with your account itself can be left, "
        "not one shared with your organization or OU, nor a public one)."
    )


def own_image_cancel(image_id: str) -> EC2ClientError:
    return invalid_parameter_value(
        f"The image {image_id} is owned by your account; CancelImageLaunchPermission "
        "removes your account from an image another account shared with it."
    )


def tag_limit_exceeded() -> EC2ClientError:
    return EC2ClientError(
        "TagLimitExceeded",
        "You've reached the limit on the number of tags that you can assign to the "
        "specified resource (50).",
    )


def tag_too_long(part: str, limit: int) -> EC2ClientError:
    return invalid_parameter_value(f"Tag {part} exceeds the maximum length of {limit} characters")


def reserved_tag_key() -> EC2ClientError:
    return invalid_parameter_value("Tag keys starting with 'aws:' are reserved for internal use")


def one_attribute_at_a_time() -> EC2ClientError:
    return invalid_parameter_combination(
        "Only one attribute can be modified at a time (Description, LaunchPermission, "
        "ImdsSupport or ProductCodes)."
    )


def no_attribute() -> EC2ClientError:
    return EC2ClientError("MissingParameter", "No attributes specified to modify.")


def description_too_long(length: int) -> EC2ClientError:
    return invalid_parameter_value(
        f"The description is {length} characters long; an image description is at most 255."
    )


def not_snapshot_owner(snapshot_id: str) -> EC2ClientError:
    return EC2ClientError("AuthFailure", f"Not authorized for snapshot:{snapshot_id}")
