"""A listing client's connections close once its place is listed (AwsClients.release_listing),
and the client lists again afterwards (it opens them anew)."""

from __future__ import annotations

from typing import Any

from amitui.aws.clients import AwsClients
from amitui.aws.images import ListQuery, iter_image_pages


def _open_pools(client: Any) -> int:
    return len(client._endpoint.http_session._manager.pools)


def _listed(client: Any) -> int:
    return sum(len(page) for page in iter_image_pages(client, "us-east-1", ListQuery()))


def test_release_listing_closes_the_connections_and_listing_opens_them_again(sandbox) -> None:
    clients = AwsClients(endpoint_url=sandbox.url, default_region="us-east-1")
    ec2 = clients.listing_ec2("us-east-1")
    first = _listed(ec2)
    assert first > 0 and _open_pools(ec2) == 1
    clients.release_listing("us-east-1")
    assert _open_pools(ec2) == 0
    assert _listed(clients.listing_ec2("us-east-1")) == first
    assert _open_pools(ec2) == 1
    clients.release_listing("eu-west-1")  # never listed: nothing to close, no error
