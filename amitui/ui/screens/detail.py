"""Everything AWS says about one image: re-fetched, tabulated, and as raw JSON; what still
uses it ("Used by", asked in a worker when the screen opens, cached for the session with
its time, ctrl+r asks again) and where it came from (its lineage, each ancestor openable)."""

from __future__ import annotations

import json
from typing import Any

from rich.json import JSON
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from amitui.aws.errors import describe_error
from amitui.aws.images import Image, describe_image, launch_permissions
from amitui.aws.usage import Check, Usage
from amitui.aws.usage_checks import (
    ancestry,
    check_usage,
    usage_report_entries,
    usage_reports,
)
from amitui.ui.services import Services
from amitui.ui.usage_text import lineage_rows, report_text, usage_text
from amitui.ui.widgets.context_header import ContextHeader
from amitui.ui.widgets.key_footer import KeyFooter

YES_NO: dict[Any, str] = {True: "yes", False: "no"}  # a flag AWS may leave out: ""


class DetailLoaded(Message):
    def __init__(self, raw: dict[str, Any] | None, permissions: Any, error: str | None) -> None:
        super().__init__()
        self.raw = raw
        self.permissions = permissions
        self.error = error


class UsageFetched(Message):
    def __init__(self, usage: Usage) -> None:
        super().__init__()
        self.usage = usage


class ReportFetched(Message):
    def __init__(self, text: Text) -> None:
        super().__init__()
        self.text = text


class LineageFetched(Message):
    def __init__(self, entries: list[dict[str, Any]], error: str | None) -> None:
        super().__init__()
        self.entries = entries
        self.error = error


def _kv_table(rows: list[tuple[str, Any]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim", no_wrap=True)
    table.add_column()
    for key, value in rows:
        table.add_row(Text(key), Text("" if value is None else str(value)))
    return table


def summary(raw: dict[str, Any]) -> Table:
    reason = raw.get("StateReason") or {}
    return _kv_table(
        [
            ("Name", raw.get("Name")),
            ("Image ID", raw.get("ImageId")),
            ("State", raw.get("State")),
            (
                "State reason",
                " ".join(filter(None, [reason.get("Code"), reason.get("Message")])) or "—",
            ),
            ("Description", raw.get("Description") or "—"),
            ("Owner", " ".join(filter(None, [raw.get("ImageOwnerAlias"), raw.get("OwnerId")]))),
            ("Created", raw.get("CreationDate")),
            ("Public", "yes" if raw.get("Public") else "no"),
            ("Architecture", raw.get("Architecture")),
            ("Platform", raw.get("PlatformDetails") or raw.get("Platform") or "—"),
            ("Virtualization", raw.get("VirtualizationType")),
            ("Boot mode", raw.get("BootMode") or "—"),
            ("IMDS support", raw.get("ImdsSupport") or "—"),
            ("TPM support", raw.get("TpmSupport") or "—"),
            ("ENA support", "yes" if raw.get("EnaSupport") else "no"),
            ("Root device", f"{raw.get('RootDeviceName') or '—'} ({raw.get('RootDeviceType')})"),
            ("Deprecation", raw.get("DeprecationTime") or "—"),
            (
                "Last launched",
                raw.get("LastLaunchedTime") or "never (AWS reports launches up to 24 h late)",
            ),
            ("Protection", raw.get("DeregistrationProtection") or "not reported"),
            (
                "Source",
                " in ".join(filter(None, [raw.get("SourceImageId"), raw.get("SourceImageRegion")]))
                or "—",
            ),
            ("Image location", raw.get("ImageLocation") or "—"),
        ]
    )


def block_devices(raw: dict[str, Any]) -> Table:
    table = Table(expand=False, header_style="bold")
    for title in (
        "Device",
        "Snapshot",
        "Size (GiB)",
        "Type",
        "IOPS",
        "Encrypted",
        "Delete on term.",
    ):
        table.add_column(title)
    for bdm in raw.get("BlockDeviceMappings") or []:
        ebs = bdm.get("Ebs") or {}
        table.add_row(
            *(
                Text(str(v))
                for v in (
                    bdm.get("DeviceName", ""),
                    ebs.get("SnapshotId") or bdm.get("VirtualName") or "",
                    ebs.get("VolumeSize", ""),
                    ebs.get("VolumeType", ""),
                    ebs.get("Iops", ""),
                    YES_NO.get(ebs.get("Encrypted"), ""),
                    YES_NO.get(ebs.get("DeleteOnTermination"), ""),
                )
            )
        )
    return table


def tags_table(raw: dict[str, Any]) -> Table | Text:
    tags = raw.get("Tags") or []
    if not tags:
        return Text("No tags", style="dim")
    table = Table(header_style="bold")
    table.add_column("Key")
    table.add_column("Value")
    for tag in sorted(tags, key=lambda t: t.get("Key", "")):
        table.add_row(Text(tag.get("Key", "")), Text(tag.get("Value", "")))
    return table


def permissions_text(raw: dict[str, Any], permissions: Any) -> Text:
    if isinstance(permissions, str):
        return Text(permissions, style="red")
    lines = ["public (all AWS accounts)" if raw.get("Public") else "private"]
    for perm in permissions or []:
        who = (
            perm.get("UserId")
            or perm.get("Group")
            or perm.get("OrganizationArn")
            or perm.get("OrganizationalUnitArn")
        )
        lines.append(f"launchable by {who}")
    return Text("\n".join(lines))


class DetailScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
        Binding("y", "copy_id", "Copy id", id="copy_id"),
        Binding("J", "show_json", "Raw JSON", id="json"),
        Binding("ctrl+r", "recheck_usage", "Check usage again", id="detail.recheck"),
        Binding("U", "usage_report", "Usage report", id="detail.usage_report"),
    ]

    CSS_PATH = "detail.tcss"

    def __init__(self, image: Image, services: Services) -> None:
        super().__init__()
        self.image = image
        self.services = services

    def compose(self) -> ComposeResult:
        yield ContextHeader(self.services.settings, region=self.image.region, id="context")
        with TabbedContent(id="tabs"):
            with TabPane("Details", id="details"), VerticalScroll():
                yield Static(Text(f"Loading {self.image.image_id}…"), id="summary")
                yield Static("Used by", classes="section")
                yield Static(usage_text(None), id="usage")
                yield Static("Other accounts (usage report)", classes="section")
                yield Static(Text("Looking for a usage report…", style="dim"), id="report")
                yield Static("Lineage (enter opens an ancestor)", classes="section")
                yield OptionList(id="lineage", compact=True)
                yield Static("Launch permissions", classes="section")
                yield Static("", id="permissions")
                yield Static("Block device mappings", classes="section")
                yield Static("", id="devices")
                yield Static("Tags", classes="section")
                yield Static("", id="tags")
            with TabPane("Raw JSON", id="raw"), VerticalScroll():
                yield Static("", id="json")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.fetch()
        image = self.image
        cached = self.services.usage.get(image.region, image.image_id, account=image.account)
        if cached is None:
            self.fetch_usage()
        else:
            self._show_usage(cached)
        self.fetch_lineage()
        self.fetch_report()

    @work(thread=True, exit_on_error=False, group="report")
    def fetch_report(self) -> None:
        try:
            ec2 = self.services.clients_for(self.image.account).ec2(self.image.region)
            reports = usage_reports(ec2, self.image.image_id)
            latest = reports[0] if reports else None
            entries = (
                usage_report_entries(ec2, latest["ReportId"])
                if latest and latest.get("State") == "available"
                else []
            )
        except Exception as exc:
            self.post_message(
                ReportFetched(Text(f"? not verified — {describe_error(exc)}", "yellow"))
            )
            return
        self.post_message(ReportFetched(report_text(latest, entries)))

    def on_report_fetched(self, message: ReportFetched) -> None:
        self.query_one("#report", Static).update(message.text)

    def action_usage_report(self) -> None:
        """U: ask AWS which other accounts use the image (an unexpired report is reused)."""
        from amitui.actions import ACTIONS
        from amitui.ui.screens.action_form import ActionForm, FormOutcome

        def done(outcome: FormOutcome | None) -> None:
            if outcome is not None:
                ids = ", ".join(r.result_id or "" for r in outcome.results)
                self.notify(f"Usage report {ids}: followed in Tasks (t)")
                self.fetch_report()

        spec = ACTIONS["usage-report"]
        form = ActionForm(spec, self.image, self.image.region, self.services)
        self.app.push_screen(form, done)

    @work(thread=True, exit_on_error=False, group="usage")
    def fetch_usage(self) -> None:
        image = self.image
        try:
            depth = self.services.settings.version_depth
            usage = check_usage(
                self.services.clients_for(image.account),
                image.region,
                image.image_id,
                version_depth=depth,
            )
        except Exception as exc:  # check_usage answers failures per check; a bug net
            usage = Usage(
                image.image_id, image.region, (Check("Usage", error=describe_error(exc)),)
            )
        self.services.usage.put(usage, account=image.account)
        self.post_message(UsageFetched(usage))

    def on_usage_fetched(self, message: UsageFetched) -> None:
        self._show_usage(message.usage)

    def _show_usage(self, usage: Usage) -> None:
        self.query_one("#usage", Static).update(usage_text(usage))

    def action_recheck_usage(self) -> None:
        self.query_one("#usage", Static).update(usage_text(None))
        self.fetch_usage()
        self.fetch_report()

    @work(thread=True, exit_on_error=False, group="lineage")
    def fetch_lineage(self) -> None:
        try:
            entries = ancestry(
                self.services.clients_for(self.image.account).ec2(self.image.region),
                self.image.image_id,
            )
        except Exception as exc:
            self.post_message(LineageFetched([], describe_error(exc)))
            return
        self.post_message(LineageFetched(entries, None))

    def on_lineage_fetched(self, message: LineageFetched) -> None:
        options = self.query_one("#lineage", OptionList)
        options.clear_options()
        if message.error:
            options.add_option(
                Option(Text(f"not verified — {message.error}", "yellow"), disabled=True)
            )
            return
        for label, image_id, region in lineage_rows(message.entries, self.image.region):
            options.add_option(Option(label, id=f"{region}/{image_id}"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Open the chosen ancestor (DescribeImages answers it if this account may see it)."""
        event.stop()
        region, _, image_id = (event.option.id or "").partition("/")
        if image_id and image_id != self.image.image_id:
            self.app.push_screen(DetailScreen(Image(image_id, region), self.services))

    @work(thread=True, exit_on_error=False, group="detail")
    def fetch(self) -> None:
        raw: dict[str, Any] | None = None
        permissions: list[dict[str, Any]] | str | None = None
        error: str | None = None
        try:
            ec2 = self.services.clients_for(self.image.account).ec2(self.image.region)
            raw = describe_image(ec2, self.image.image_id)
            if raw is None:
                error = f"{self.image.image_id} no longer exists in {self.image.region}"
            else:
                try:
                    permissions = launch_permissions(ec2, self.image.image_id)
                except Exception as exc:
                    permissions = describe_error(exc)
        except Exception as exc:
            error = describe_error(exc, self.services.settings.profile)
        self.post_message(DetailLoaded(raw, permissions, error))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        if message.error or message.raw is None:
            self.query_one("#summary", Static).update(
                Text(message.error or "not found", style="bold red")
            )
            return
        raw = message.raw
        self.query_one("#summary", Static).update(summary(raw))
        self.query_one("#devices", Static).update(block_devices(raw))
        self.query_one("#tags", Static).update(tags_table(raw))
        self.query_one("#permissions", Static).update(permissions_text(raw, message.permissions))
        self.query_one("#json", Static).update(JSON(json.dumps(raw, default=str, indent=2)))

    def action_copy_id(self) -> None:
        self.app.copy_to_clipboard(self.image.image_id)
        self.notify(f"Copied {self.image.image_id}")

    def action_show_json(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = "details" if tabs.active == "raw" else "raw"
