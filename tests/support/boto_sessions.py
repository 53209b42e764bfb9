"""boto3 Sessions for the tests' apps, sharing botocore's data loader.

Each app gets a fresh Session (its own event handlers and credentials, as the real app
has), but botocore's loader, which parses the EC2 service model (a JSON file of several
megabytes) and caches it per loader, is one per test process: the model is parsed once,
not once per app (it was about a tenth of the UI tests' CPU time).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
import botocore.loaders
import botocore.session


@cache
def shared_loader() -> Any:
    return botocore.loaders.create_loader()


def boto3_session(region: str) -> boto3.Session:
    core = botocore.session.get_session()
    core.register_component("data_loader", shared_loader())
    return boto3.Session(botocore_session=core, region_name=region)
