"""How a form names the accounts its images are in (--accounts; nothing for the one
account of the settings' credentials)."""

from __future__ import annotations

from collections.abc import Iterable

from amitui.aws.images import Image

#: The most accounts a bulk form's title names; beyond, "+N more".
TITLE_ACCOUNTS = 3


def account_label(account: str, name: str) -> str:
    """ "111111111111 (dev)", or the id alone when the account's name is not known."""
    return f"{account} ({name})" if name else account


def accounts_named(images: Iterable[Image], most: int = TITLE_ACCOUNTS) -> str:
    """What a form's title says of the images' accounts: "" for the one account,
    "account 111111111111 (dev)" for one, "2 accounts: dev, prod" for several (each by its
    name, else its id; the first ``most`` of them, then "+N more"), in the images' order."""
    names: dict[str, str] = {}
    for image in images:
        if image.account and image.account not in names:
            names[image.account] = image.account_name
    if not names:
        return ""
    if len(names) == 1:
        ((account, name),) = names.items()
        return f"account {account_label(account, name)}"
    shown = [name or account for account, name in list(names.items())[:most]]
    more = f" +{len(names) - most} more" if len(names) > most else ""
    return f"{len(names)} accounts: {', '.join(shown)}{more}"
