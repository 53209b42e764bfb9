"""boto3 Sessions for the tests' apps, sharing botocore's data loader.

Each app gets a fresh Session (its own event handlers, a copy of botocore's built-in ones,
and its own credentials, as the real app has), but botocore's loader, which parses the
EC2 service model (a JSON file of several megabytes) and caches it per loader, is one per
test process: the model is parsed once, not once per app (it was about a tenth of the UI
tests' CPU time).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
import botocore.loaders
import botocore.session
import pytest


@cache
def shared_loader() -> Any:
    return botocore.loaders.create_loader()


@cache
def _builtin_handlers() -> botocore.session.Session:
    """A Session whose only use is to have its built-in event handlers copied (registering
    them one by one inspects each handler: ~8 ms a Session). Never given to a client."""
    return botocore.session.get_session()


def boto3_session(region: str) -> boto3.Session:
    from amitui.aws.accounts import copied_handlers  # the app's own way (and its test)

    core = botocore.session.Session(**copied_handlers(_builtin_handlers()))
    core.register_component("data_loader", shared_loader())
    return boto3.Session(botocore_session=core, region_name=region)


def sharing_decoded_models(patch: pytest.MonkeyPatch) -> None:
    """Every botocore loader created from now on (each fresh Session makes one) shares one
    cache of decoded data files per search path. The loaders stay distinct objects
    (amitui/aws/client_classes.py marks one loader, not all of them).

    The one botocore internal this touches: a Loader keeps what its cached methods
    returned in ``self._cache`` (botocore.loaders.instance_cache, whose docstring makes
    that dictionary the contract); handing every loader the same dictionary shares it.
    botocore.session imports ``create_loader`` by name, so that name is the one patched."""
    import botocore.session

    made = botocore.session.create_loader
    decoded: dict[str | None, dict[Any, Any]] = {}

    def create_loader(search_path_string: str | None = None) -> Any:
        loader = made(search_path_string)
        if not isinstance(getattr(loader, "_cache", None), dict):
            raise RuntimeError("botocore's Loader no longer keeps its cache in _cache")
        loader._cache = decoded.setdefault(search_path_string, {})
        return loader

    patch.setattr(botocore.session, "create_loader", create_loader)
