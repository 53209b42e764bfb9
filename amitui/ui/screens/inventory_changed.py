"""New or changed images shown without a full reload: a finished copy, a row an action
changed, a bulk run's refreshed images. Fetched by id in a worker, in the images' own
account (--accounts), and merged into the rows (ImagesChanged)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from amitui.aws.errors import describe_error
from amitui.aws.images import Image, fetch_images
from amitui.ui.messages import ImagesChanged

if TYPE_CHECKING:
    from amitui.ui.screens.inventory import InventoryScreen


class ChangedImages:
    def __init__(self, screen: InventoryScreen) -> None:
        self.screen = screen

    def fetch(self, ids_by_region: dict[str, list[str]], account: str = "") -> None:
        """``account``: the images' account (--accounts; "" the one account)."""
        self.screen.run_worker(
            lambda: self._fetch(ids_by_region, account),
            thread=True,
            exit_on_error=False,
            group="changed-images",
            description="changed images",
        )

    def _fetch(self, ids_by_region: dict[str, list[str]], account: str) -> None:
        screen = self.screen
        services = screen.services
        images: list[Image] = []
        for region, ids in ids_by_region.items():
            if region not in screen.session.regions:
                continue
            try:
                fetched = fetch_images(services.clients_for(account).ec2(region), region, ids)
                if account and services.accounts is not None:
                    name = services.accounts.name_of(account)
                    for image in fetched:
                        image.account, image.account_name = account, name
                images += fetched
            except Exception as exc:
                screen.app.call_from_thread(
                    screen.notify, describe_error(exc), title="Refresh failed", severity="warning"
                )
        if images:
            screen.post_message(ImagesChanged(images))
