"""DescribeImages answers as Image rows, on the clients that list (see AwsClients.lister).

botocore emits ``before-parse.ec2.DescribeImages`` with the HTTP response before its
parser reads it, and merges ``customized_response_dict`` into what it parsed. This hook
reads the body with amitui.aws.describe_images_xml and, if every part of it is
recognised:

- puts the rows in ``customized_response_dict[IMAGE_ROWS]`` (``page_images`` reads them);
- replaces the body botocore is about to parse with the same response without its
  images (the request id and NextToken only), so botocore still builds the answer's
  ``NextToken`` and ``ResponseMetadata`` itself, at the cost of a few bytes.

Anything else is left to botocore, untouched: an error status (botocore's error parse,
retries and exceptions run as ever), and a 200 body the parser does not recognise, which
is also said on the ``amitui.aws.listing`` logger (``--debug-log`` writes it). The answer
then has botocore's ``Images`` and no rows; ``page_images`` builds them from the dicts.

Only a client made for listing carries this hook: every other DescribeImages call (the
detail screen, the task poller, ``amitui list --format json``) gets botocore's dicts.
"""

from __future__ import annotations

import logging
from typing import Any
from xml.sax.saxutils import escape

from amitui.aws.describe_images_xml import ROOT, Unrecognised, parse_page
from amitui.aws.images import IMAGE_ROWS
from amitui.aws.vocabularies import Vocabularies

log = logging.getLogger("amitui.aws.listing")

EVENT = "before-parse.ec2.DescribeImages"
#: Characters a text node cannot hold literally (XML turns a raw CR into LF).
_ENTITIES = {"\r": "&#13;"}


class DescribeImagesRows:
    """The ``before-parse`` handler of one client (``region``: the rows' region)."""

    def __init__(self, region: str, vocabularies: Vocabularies | None = None) -> None:
        self.region = region
        self._vocabularies = vocabularies or Vocabularies()

    def register(self, events: Any) -> None:
        events.register(EVENT, self, unique_id=f"amitui-image-rows-{id(self)}")

    def __call__(
        self,
        operation_model: Any = None,
        response_dict: dict[str, Any] | None = None,
        customized_response_dict: dict[str, Any] | None = None,
        **_: Any,
    ) -> None:
        if response_dict is None or customized_response_dict is None:
            return
        if response_dict.get("status_code") != 200:
            return  # an error: botocore's to parse, raise or retry
        body = response_dict.get("body")
        if not isinstance(body, bytes | bytearray):
            return
        vocabulary = self._vocabularies.of(operation_model)
        try:
            page = parse_page(bytes(body), self.region, vocabulary)
        except Unrecognised as reason:
            log.info(
                "%s: a DescribeImages answer amitui's parser does not recognise (%s): "
                "botocore parsed it",
                self.region,
                reason,
            )
            return
        customized_response_dict[IMAGE_ROWS] = page.images
        response_dict["body"] = stub(page.request_id, page.next_token)


def stub(request_id: str | None, next_token: str | None) -> bytes:
    """The answer without its images: what botocore still parses."""
    parts = [f"<{ROOT}>"]
    if request_id is not None:
        parts.append(f"<requestId>{escape(request_id, _ENTITIES)}</requestId>")
    if next_token is not None:
        parts.append(f"<nextToken>{escape(next_token, _ENTITIES)}</nextToken>")
    parts.append(f"</{ROOT}>")
    return "".join(parts).encode()
