"""Usage report: CreateImageUsageReport, which other accounts launch a shared image — a
task followed until the report is available (DescribeImageUsageReports), whose per-account
counts the detail screen then shows (DescribeImageUsageReportEntries).

AWS builds the report asynchronously and keeps it 30 days; the detail screen reuses an
unexpired report instead of opening this form again."""

from __future__ import annotations

from collections.abc import Mapping

from amitui.actions.common import ACCOUNT_ID, image_field
from amitui.actions.registry import register_action
from amitui.actions.spec import ActionSpec, Field
from amitui.aws.usage_checks import unexpired_usage_report
from amitui.tasks.kinds import API_USAGE_REPORTS, TaskKind

#: The resource types a usage report counts (botocore documents these two).
REPORT_RESOURCE_TYPES = ("ec2:Instance", "ec2:LaunchTemplate")


def _resource_type(value: str) -> str | None:
    if value in REPORT_RESOURCE_TYPES:
        return None
    return "Choose from: " + ", ".join(REPORT_RESOURCE_TYPES) + "."


def _account_id(value: str) -> str | None:
    return None if ACCOUNT_ID.fullmatch(value) else "An AWS account id is 12 digits."


def _resource_types(request: dict, values: Mapping[str, object]) -> None:
    names = values.get("ReportResourceTypes") or ()
    request["ResourceTypes"] = [{"ResourceType": name} for name in names]  # type: ignore[attr-defined]


USAGE_REPORT = register_action(
    ActionSpec(
        name="usage-report",
        operation="CreateImageUsageReport",
        title="Create usage report",
        label="Usage report",
        summary=(
            "Ask AWS which other accounts use this shared image (instances, launch "
            "templates). AWS builds the report in the background and keeps it 30 days."
        ),
        needs_image=True,
        shows_image=True,
        result_key="ReportId",
        task=TaskKind(
            "usage-report",
            poll=API_USAGE_REPORTS,
            source=lambda request, response, target: str(request.get("ImageId", "")),
            name_of=lambda request: "usage report",
            image_of=lambda request: str(request.get("ImageId", "")),
        ),
        client_token=True,
        request_hook=_resource_types,
        reuse=unexpired_usage_report,
        fields=(
            image_field("The shared AMI to report on."),
            Field(
                "ReportResourceTypes",
                "Resource types",
                kind="list",
                required=True,
                default=", ".join(REPORT_RESOURCE_TYPES),
                validators=(_resource_type,),
                api=False,
                help="What to count in the other accounts: ec2:Instance, ec2:LaunchTemplate.",
            ),
            Field(
                "AccountIds",
                "Only these accounts",
                kind="list",
                validators=(_account_id,),
                placeholder="e.g. 111111111111, 222222222222",
                help="Optional: the accounts to report on (default: every one it is shared with).",
            ),
        ),
    )
)
