"""A destructive form's "what still uses this image" (a spec with a ``usage_guard``).

Asked in a thread worker when the form opens (or taken from the session's cache when it
is fresh: usage.FRESH_SECONDS), shown above the fields before anything is typed back,
and turned into the spec's refusal until the user ticks the override, whose help then
names what ticking it breaks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from amitui.aws.errors import describe_error
from amitui.aws.recycle_bin import Retention, image_retention
from amitui.aws.usage import FRESH_SECONDS, Check, Usage
from amitui.aws.usage_checks import check_usage
from amitui.ui.screens.form_fields import show_field
from amitui.ui.usage_text import retention_text, usage_text, verdict_text

if TYPE_CHECKING:
    from amitui.ui.screens.action_form import ActionForm


class UsageLoaded(Message):
    def __init__(self, usage: Usage, retention: Retention | None = None) -> None:
        super().__init__()
        self.usage = usage
        self.retention = retention


class FormUsage:
    def __init__(self, form: ActionForm) -> None:
        self.form = form
        self.usage: Usage | None = None
        #: whether the Recycle Bin keeps the image once deregistered (spec.recycle_bin)
        self.retention: Retention | None = None

    @property
    def active(self) -> bool:
        return self.form.spec.usage_guard is not None and self.form.image is not None

    def load(self) -> None:
        if not self.active:
            return
        image = self.form.image
        assert image is not None
        cached = self.form.services.usage.get(
            image.region, image.image_id, FRESH_SECONDS, account=image.account
        )
        if cached is not None and not self.form.spec.recycle_bin:
            self.form.post_message(UsageLoaded(cached))
            return
        self.form.run_worker(
            self._ask, thread=True, exit_on_error=False, group="usage", description="usage"
        )

    def _ask(self) -> None:
        image = self.form.image
        assert image is not None
        services = self.form.services
        retention = None
        if self.form.spec.recycle_bin:  # never raises: a failure is "not verified"
            try:
                rbin = services.clients_for(image.account).client("rbin", image.region)
            except Exception:  # the account unreachable: image_retention's "not verified"
                rbin = None
            retention = image_retention(rbin, dict(image.tags))
        usage = services.usage.get(
            image.region, image.image_id, FRESH_SECONDS, account=image.account
        )
        if usage is None:
            try:
                depth = services.settings.version_depth
                usage = check_usage(
                    services.clients_for(image.account),
                    image.region,
                    image.image_id,
                    version_depth=depth,
                )
            except Exception as exc:  # check_usage answers failures per check; a bug net
                usage = Usage(
                    image.image_id, image.region, (Check("Usage", error=describe_error(exc)),)
                )
            services.usage.put(usage, account=image.account)
        self.form.post_message(UsageLoaded(usage, retention))

    def errors(self, cleaned: dict[str, object]) -> dict[str, str]:
        guard = self.form.spec.usage_guard
        if guard is None or not self.active:
            return {}
        return dict(guard(cleaned, self.usage))

    def text(self) -> Text:
        """The verdict and every check, for the form's summary."""
        if not self.active:
            return Text()
        text = Text("\n\n")
        if self.retention is not None:
            text.append_text(retention_text(self.retention))
            text.append("\n")
        text.append_text(verdict_text(self.usage))
        if self.usage is not None and not self.usage.clear:
            text.append("\n")
            text.append_text(usage_text(self.usage))
        return text

    def loaded(self, usage: Usage, override: str | None, retention: Retention | None) -> None:
        """Keep the answer; show the override (naming what it breaks) only when needed."""
        self.usage = usage
        self.retention = retention
        if override is None:
            return
        index = next(i for i, f in enumerate(self.form.spec.fields) if f.api_name == override)
        show_field(self.form, index, not usage.clear)
        breaks = usage.breaks()
        if breaks:
            help_text = "Ticking this deregisters it although: " + "; ".join(breaks)
            for help_box in self.form.query(f"#h-{index}").results(Static):
                help_box.update(Text(help_text, style="bold red"))
