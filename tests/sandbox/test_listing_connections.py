"""A listing client is dropped once its place is listed (AwsClients.release_listing): its
connections close, and the next listing gets a new client that lists the same."""

from __future__ import annotations

from typing import Any

from amitui.aws.clients import AwsClients
from amitui.aws.images import ListQuery, iter_image_pages


def _open_pools(client: Any) -> int:
    return len(client._endpoint.http_session._manager.pools)


def _listed(client: Any) -> set[str]:
    pages = iter_image_pages(client, "us-east-1", ListQuery())
    return {image.image_id for page in pages for image in page}


def test_release_listing_drops_the_client_and_closes_its_connections(sandbox) -> None:
    clients = AwsClients(endpoint_url=sandbox.url, default_region="us-east-1")
    ec2 = clients.listing_ec2("us-east-1")
    first = _listed(ec2)
    assert first and _open_pools(ec2) == 1
    clients.release_listing("us-east-1")
    assert _open_pools(ec2) == 0
    again = clients.listing_ec2("us-east-1")
    assert again is not ec2  # a new client: the old one (and its memory) is let go
    # the same images (and any an earlier test's import or copy finished meanwhile: the
    # session's sandbox is shared, and its pending work completes on its own time)
    assert _listed(again) >= first
    assert _open_pools(again) == 1 and _open_pools(ec2) == 0
    assert clients.listing_ec2("us-east-1") is again  # kept while its place lists
    clients.release_listing("eu-west-1")  # never listed: nothing to close, no error
