"""One client class per service for the many sessions of ``--accounts``.

botocore builds each client's class anew: one method and one docstring object per
operation (EC2 has some 800), about 35 ms and 1.3 MB a client. ``--accounts`` makes one
EC2 client per account x region (200 for 50 accounts x 4 regions: 7 s of CPU and 280 MB
of nearly identical classes). ``share_client_classes(loader)`` makes every client built
by a session using ``loader`` reuse the first class built for its service (and API
version) by such a session.

The classes are the same whichever session built them: a class holds the service's
operations (from the loader, shared) and what the ``creating-client-class`` handlers add,
which are botocore's and boto3's built-in ones in every session of the app (the account
sessions are made like the base one, see accounts.py). A loader not marked keeps
botocore's behaviour: a class per client. The classes are kept on the loader itself.
"""

from __future__ import annotations

from typing import Any

from botocore.client import ClientCreator

#: The loader attribute holding {(service name, API version): client class}.
ATTRIBUTE = "_amitui_client_classes"
_MARK = "_amitui_shares_classes"


def share_client_classes(loader: Any) -> None:
    """Clients built by sessions using ``loader`` share one class per service."""
    _install()
    if getattr(loader, ATTRIBUTE, None) is None:
        setattr(loader, ATTRIBUTE, {})


def _install() -> None:
    build = ClientCreator._create_client_class
    if getattr(build, _MARK, False):
        return

    def _create_client_class(self: Any, service_name: str, service_model: Any) -> Any:
        classes = getattr(getattr(self, "_loader", None), ATTRIBUTE, None)
        if classes is None:
            return build(self, service_name, service_model)
        key = (service_name, service_model.api_version)
        made = classes.get(key)
        if made is None:  # two threads may both build it: the first one stored is kept
            made = classes.setdefault(key, build(self, service_name, service_model))
        return made

    setattr(_create_client_class, _MARK, True)
    ClientCreator._create_client_class = _create_client_class  # type: ignore[method-assign]
