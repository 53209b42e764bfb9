"""iter_image_pages against the sandbox: a small first page, then full pages, no repeats."""

from amitui.aws.clients import AwsClients
from amitui.aws.images import ListQuery, iter_image_pages


def test_small_first_page_then_full_pages(sandbox):
    clients = AwsClients(endpoint_url=sandbox.url)
    asked = []
    clients.add_hook(
        "before-parameter-build.ec2.DescribeImages",
        lambda params, **_: asked.append(params.get("MaxResults")),
    )
    pages = list(
        iter_image_pages(
            clients.ec2("us-east-1"), "us-east-1", ListQuery(), page_size=50, first_page=10
        )
    )
    assert asked[:2] == [10, 50] and set(asked[1:]) == {50}
    assert len(pages[0]) == 10 and all(len(p) == 50 for p in pages[1:-1])
    ids = [i.image_id for page in pages for i in page]
    assert len(ids) == len(set(ids)) >= 100
    assert all(i.region == "us-east-1" for page in pages for i in page)


def test_cancel_stops_between_pages(sandbox):
    clients = AwsClients(endpoint_url=sandbox.url)
    pages = iter_image_pages(
        clients.ec2("us-east-1"), "us-east-1", ListQuery(), page_size=20, cancelled=lambda: seen
    )
    seen = False
    first = next(pages)
    seen = True
    assert first and list(pages) == []
