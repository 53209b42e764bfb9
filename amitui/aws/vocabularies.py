"""What the listing clients' DescribeImages parser reads from botocore's model, read once.

Light to import (the XML parser loads with the first listing client): amitui/aws/clients.py
makes one for every AwsClients before any client exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amitui.aws.describe_images_xml import Vocabulary


class Vocabularies:
    """The parser's vocabulary, read from botocore's model once per API version for every
    listing client that shares this (an AwsClients and the ones derived from it for other
    accounts, whose sessions share its botocore loader, so its model): reading it took ~1 ms
    a client, and --accounts makes one listing client per account x region."""

    def __init__(self) -> None:
        self._read: dict[str, Vocabulary] = {}

    def of(self, operation_model: Any) -> Vocabulary:
        from amitui.aws.describe_images_xml import Vocabulary

        version = operation_model.service_model.api_version
        found = self._read.get(version)
        if found is None:  # two threads may both read it: the first one stored is kept
            found = self._read.setdefault(version, Vocabulary.of(operation_model.output_shape))
        return found
