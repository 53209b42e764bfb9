"""Image usage reports, as EC2 answers them (issue 15).

CreateImageUsageReport: for an image the caller owns and shares (a launch
permission for another account, or public); otherwise AuthFailure (another
account's image) or InvalidParameterValue (not shared: ours, AWS's wording unknown).
ResourceTypes (``ec2:Instance``, ``ec2:LaunchTemplate``, ``imagebuilder:ImageRecipe``,
``imagebuilder:ContainerRecipe``; option ``version-depth`` 1..10000 for launch
templates, AWS's default 20), AccountIds (at most 200; omitted: every account),
TagSpecifications (``image-usage-report``), ClientToken (the same token and request:
the same ReportId; another request: IdempotentParameterMismatch). The report is
``pending`` for 2 x ``pending_seconds`` and then ``available``; it expires 30 days
after creation and is then no longer described.

DescribeImageUsageReports: ImageIds, ReportIds (unknown: InvalidImageUsageReportId.NotFound,
ours), Filters ``creation-time`` (``*`` wildcards), ``state``, ``tag:<key>``,
``tag-key``; MaxResults (1..1000)/NextToken.

DescribeImageUsageReportEntries: one entry per (account, resource type) with a use,
for available reports; Filters ``account-id``, ``creation-time``, ``resource-type``;
MaxResults (1..1000)/NextToken. The counts come from the seeded consumers
(catalogue_usage.py).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Any, ClassVar

from . import errors
from .describe_images import check_image_id, visible_to
from .moto_compat import ActionResult, EC2BaseResponse, random_hex
from .pagination import check_max_results, fingerprint, paginate
from .state import SandboxState
from .tagging import tags_by_type
from .usage_state import REPORT_PENDING_FACTOR, USAGE_RESOURCE_TYPES, UsageReport

MIN_RESULTS, MAX_RESULTS = 1, 1000
REPORT_FILTERS = ("creation-time", "state", "tag-key")
ENTRY_FILTERS = ("account-id", "creation-time", "resource-type")


def _when(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _iso(seconds: float) -> str:
    return _when(seconds).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(seconds * 1000) % 1000:03d}Z"


def _matches(values: list[str], actual: list[str]) -> bool:
    return any(fnmatchcase(a, v) for v in values for a in actual)


def _check_filters(filters: list[dict[str, Any]], known: tuple[str, ...], tags: bool) -> None:
    for f in filters:
        name = f.get("Name", "")
        if name not in known and not (tags and name.startswith("tag:")):
            raise errors.invalid_filter(name)


def _check_resource_types(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        resource_type = entry.get("ResourceType")
        if resource_type not in USAGE_RESOURCE_TYPES:
            raise errors.invalid_parameter_value(
                f"Invalid resource type {resource_type}. "
                f"Expecting one of {list(USAGE_RESOURCE_TYPES)}."
            )
        for option in entry.get("ResourceTypeOptions") or []:
            values = option.get("OptionValues") or []
            if (
                resource_type != "ec2:LaunchTemplate"
                or option.get("OptionName") != "version-depth"
                or len(values) != 1
                or not str(values[0]).isdigit()
                or not 1 <= int(values[0]) <= 10000
            ):
                raise errors.invalid_parameter_value(
                    f"Invalid option {option.get('OptionName')}={values} for {resource_type}: "
                    "only version-depth (1..10000) for ec2:LaunchTemplate."
                )


class UsageReportsMixin(EC2BaseResponse):
    sandbox_state: ClassVar[SandboxState]

    def create_image_usage_report(self) -> ActionResult:
        ami_id = check_image_id(self._get_param("ImageId"))
        resource_types: list[dict[str, Any]] = self._get_param("ResourceTypes", [])
        account_ids: list[str] = self._get_param("AccountIds", [])
        token = self._get_param("ClientToken")
        tags = tags_by_type(self._get_param("TagSpecifications", []), ("image-usage-report",))
        _check_resource_types(resource_types)
        if len(account_ids) > 200:
            raise errors.invalid_parameter_value("At most 200 AccountIds may be given.")
        self.error_on_dryrun()
        account = self.current_account
        ami = self.ec2_backend.amis.get(ami_id)
        if ami is None or not visible_to(ami, account):
            raise errors.ami_not_found([ami_id])
        if ami.owner_id != account:
            raise errors.not_image_owner(ami_id)
        if not ami.is_public and not any(p.get("UserId") for p in ami.launch_permissions):
            raise errors.invalid_parameter_value(
                f"The image {ami_id} is not shared with other accounts; "
                "a usage report covers shared images only."
            )
        state = self.sandbox_state
        book = state.book(account, self.region)
        params = {k: v for k, v in self.params.items() if k not in ("ClientToken", "DryRun")}
        request = fingerprint("CreateImageUsageReport", params)

        def create() -> UsageReport:
            now = time.time()
            wanted = {e["ResourceType"] for e in resource_types}
            counts = {
                (consumer, kind): count
                for consumer, uses in book.consumers.get(ami_id, {}).items()
                for kind, count in uses.items()
                if kind in wanted and (not account_ids or consumer in account_ids) and count
            }
            report = UsageReport(
                report_id=f"amiur-{random_hex(17)}",
                image_id=ami_id,
                resource_types=resource_types,
                account_ids=list(account_ids),
                created_at=now,
                ready_at=now + REPORT_PENDING_FACTOR * state.pending_seconds,
                tags=tags.get("image-usage-report", {}),
                counts=counts,
            )
            book.reports[report.report_id] = report
            return report

        created, earlier = state.idempotent(
            book, "CreateImageUsageReport", token, request, create, lambda r: r.report_id
        )
        return ActionResult({"ReportId": earlier or created.report_id})

    def _reports(self, filters: list[dict[str, Any]], *, tags: bool) -> list[UsageReport]:
        """The region's unexpired reports, by ImageIds and ReportIds."""
        image_ids: list[str] = self._get_param("ImageIds", [])
        report_ids: list[str] = self._get_param("ReportIds", [])
        for ami_id in image_ids:
            check_image_id(ami_id)
        _check_filters(filters, REPORT_FILTERS if tags else ENTRY_FILTERS, tags)
        check_max_results(self._get_param("MaxResults"), MIN_RESULTS, MAX_RESULTS)
        self.error_on_dryrun()
        now = time.time()
        book = self.sandbox_state.book(self.current_account, self.region)
        live = {rid: r for rid, r in list(book.reports.items()) if now < r.expires_at}
        unknown = [rid for rid in report_ids if rid not in live]
        if unknown:
            raise errors.usage_report_not_found(unknown)
        reports = [r for r in live.values() if not report_ids or r.report_id in report_ids]
        return [r for r in reports if not image_ids or r.image_id in image_ids]

    def _page(self, items: list[Any], key: Any, name: str) -> ActionResult:
        params = {k: v for k, v in self.params.items() if k not in ("NextToken", "MaxResults")}
        query = fingerprint(self.region, name, params)
        page, token = paginate(
            items,
            key=key,
            max_results=self._get_param("MaxResults"),
            next_token=self._get_param("NextToken"),
            query=query,
            default_page=MAX_RESULTS,
        )
        result: dict[str, Any] = {name: page}
        if token:
            result["NextToken"] = token
        return ActionResult(result)

    def describe_image_usage_reports(self) -> ActionResult:
        filters: list[dict[str, Any]] = self._get_param("Filters", [])
        now = time.time()
        shown = []
        for report in self._reports(filters, tags=True):
            facts = {
                "creation-time": [_iso(report.created_at)],
                "state": [report.state(now)],
                "tag-key": list(report.tags),
            }
            facts.update({f"tag:{k}": [v] for k, v in report.tags.items()})
            if all(_matches(f.get("Values", []), facts.get(f["Name"], [])) for f in filters):
                shown.append(_report_shape(report, now))
        return self._page(shown, lambda r: r["ReportId"], "ImageUsageReports")

    def describe_image_usage_report_entries(self) -> ActionResult:
        filters: list[dict[str, Any]] = self._get_param("Filters", [])
        now = time.time()
        entries = []
        for report in self._reports(filters, tags=False):
            if report.state(now) != "available":
                continue
            for (consumer, kind), count in sorted(report.counts.items()):
                facts = {
                    "account-id": [consumer],
                    "creation-time": [_iso(report.created_at)],
                    "resource-type": [kind],
                }
                if all(_matches(f.get("Values", []), facts[f["Name"]]) for f in filters):
                    entries.append(
                        {
                            "ResourceType": kind,
                            "ReportId": report.report_id,
                            "UsageCount": count,
                            "AccountId": consumer,
                            "ImageId": report.image_id,
                            "ReportCreationTime": _when(report.created_at),
                        }
                    )
        key = lambda e: f"{e['ReportId']} {e['AccountId']} {e['ResourceType']}"  # noqa: E731
        return self._page(entries, key, "ImageUsageReportEntries")


def _report_shape(report: UsageReport, now: float) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "ImageId": report.image_id,
        "ReportId": report.report_id,
        "ResourceTypes": report.resource_types,
        "State": report.state(now),
        "CreationTime": _when(report.created_at),
        "ExpirationTime": _when(report.expires_at),
        "Tags": [{"Key": k, "Value": v} for k, v in report.tags.items()],
    }
    if report.account_ids:
        shape["AccountIds"] = report.account_ids
    return shape
