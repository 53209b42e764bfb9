"""EC2 answers without a network: botocore's ``before-send`` event may answer a request
itself (botocore's own hook for it), so a real client, with every hook amitui registers,
parses canned bodies."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from amitui.aws.clients import AwsClients
from amitui.aws.debug_log import DebugLog

REGION = "eu-west-1"


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


class Answers:
    """Serves the next (status, body) to each request the client would send."""

    def __init__(self, *answers: tuple[int, bytes]) -> None:
        self.answers = list(answers)
        self.sent: list[str] = []
        #: the thread each request was sent from
        self.threads: list[str] = []
        self._lock = threading.Lock()
        self._answered = threading.Condition(self._lock)

    def wait_sent(self, count: int, timeout: float = 60) -> None:
        """Until ``count`` requests were answered (a state, not a time: the timeout only
        stops a test that would hang)."""
        with self._answered:
            if not self._answered.wait_for(lambda: len(self.sent) >= count, timeout):
                raise AssertionError(f"{len(self.sent)} requests sent, not {count}")

    def __call__(self, request: Any = None, **_: Any) -> AWSResponse:
        with self._lock:
            self.sent.append(request.url)
            self.threads.append(threading.current_thread().name)
            status, body = self.answers.pop(0)
            self._answered.notify_all()
        return AWSResponse(request.url, status, {"content-type": "text/xml"}, _Raw(body))


def canned_clients(
    answers: Answers, debug_log: DebugLog | None = None, region: str = REGION
) -> AwsClients:
    session = boto3.Session(
        aws_access_key_id="unit", aws_secret_access_key="unit", region_name=region
    )
    made = AwsClients(
        session=session,
        endpoint_url="http://ec2.invalid",
        default_region=region,
        config=None,
    )
    made.add_hook("before-send.ec2", answers)
    if debug_log is not None:
        debug_log.attach(made)
    return made
