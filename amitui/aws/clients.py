"""One boto3 Session, per-region clients, and the read-only guard.

The guard lives here, below the UI: with ``read_only=True`` every EC2 operation that is
not a Describe/Get/List call (or sts:AssumeRole, which changes nothing) is refused before
botocore builds the request, so no mutating request (dry runs included) can reach the
endpoint whatever the UI does.

Every client also scrubs credentials out of error messages before botocore raises them:
an endpoint may quote the request it refused (S3's SignatureDoesNotMatch quotes the
canonical request, session token included), and those messages are shown and logged.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from amitui.aws.first_page import FirstPage, PrefetchedEc2
from amitui.aws.vocabularies import Vocabularies

if TYPE_CHECKING:
    import boto3
    from botocore.config import Config

READ_PREFIXES = ("Describe", "Get", "List")
#: Calls that change no resource though their names do not read: sts:AssumeRole lends
#: credentials (--accounts reads every account that way, --read-only or not).
READ_CALLS = frozenset({"AssumeRole"})
#: The services a custom endpoint (``--endpoint-url``, the sandbox) answers: the sandbox
#: serves moto's Auto Scaling on its one URL too (issue 15 resolves ASGs to images), and
#: the Recycle Bin's rules (issue 17: can a deregistration be undone?), and the
#: organization's accounts (issue 18: ``--accounts org``).
ENDPOINT_SERVICES = ("ec2", "sts", "s3", "autoscaling", "rbin", "organizations")
REDACTED = "<redacted>"
#: Error codes after which the credentials are read again (see forget_credentials).
STALE_CREDENTIAL_CODES = (
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "AuthFailure",
)
#: botocore's own refusals to sign (no request was sent): no credentials, or an SSO
#: session that expired (what `aws sso login` mends).
MISSING_CREDENTIAL_ERRORS = (
    "NoCredentialsError",
    "UnauthorizedSSOTokenError",
    "SSOTokenLoadError",
    "TokenRetrievalError",
)
#: Credentials as a request carries them (header or query string), whatever their value.
_CREDENTIAL_PATTERNS = (
    re.compile(r"(?i)(x-amz-security-token\s*[:=]\s*)[^\s&,;]+"),
    re.compile(r"(?i)(credential\s*=\s*)[^/\s&,;]+"),
)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` without the given secret values nor any request-borne credential."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern in _CREDENTIAL_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def credentials_refused(code: str | None) -> bool:
    """Whether a call failed for its credentials (refused as expired or unknown, or none
    to sign with): ``code`` is AWS's error code, or the botocore exception's class name."""
    return code in STALE_CREDENTIAL_CODES or code in MISSING_CREDENTIAL_ERRORS


class ReadOnlyError(RuntimeError):
    """A mutating call was attempted under --read-only."""

    def __init__(self, operation: str) -> None:
        super().__init__(f"read-only mode: {operation} is not allowed (started with --read-only)")
        self.operation = operation


def is_mutating(operation: str) -> bool:
    return not operation.startswith(READ_PREFIXES) and operation not in READ_CALLS


@dataclass(frozen=True, slots=True)
class Identity:
    account: str
    arn: str


def default_config(**overrides: Any) -> Config:
    from botocore.config import Config

    options: dict[str, Any] = {
        "retries": {"mode": "adaptive", "max_attempts": 5},
        "connect_timeout": 5,
        "read_timeout": 30,
        "max_pool_connections": 20,
        "user_agent_appid": "amitui",
    }
    options.update(overrides)
    return Config(**options)


class AwsClients:
    """Hands out cached, thread-safe botocore clients for one profile and endpoint.

    Nothing of boto3 is imported until a client (or the session) is first asked for: a
    start that shows the cached inventory paints it before paying for boto3 (~0.3 s of
    CPU with the EC2 model); ``import amitui.ui.app`` loads no boto3 (a test says so)."""

    def __init__(
        self,
        *,
        profile: str | None = None,
        endpoint_url: str | None = None,
        default_region: str = "us-east-1",
        read_only: bool = False,
        config: Config | None = None,
        session: boto3.Session | None = None,
        vocabularies: Vocabularies | None = None,
    ) -> None:
        self.profile = profile
        self.endpoint_url = endpoint_url
        self.default_region = default_region
        self.read_only = read_only
        self._config = config
        self._session_arg = session
        self._session: boto3.Session | None = session
        self._clients: dict[tuple[str, str, bool], Any] = {}
        self._lock = threading.Lock()
        self._identity: Identity | None = None
        self._hooks: list[tuple[str, Any]] = []
        self._probe_loader: Any = None  # check_credentials's, kept between probes
        self._first_pages: dict[str, FirstPage] = {}
        #: what the listing clients' DescribeImages parser reads from botocore's model
        #: (shared with the clients derived for other accounts: accounts.derived_clients)
        self.vocabularies = vocabularies or Vocabularies()

    @property
    def config(self) -> Config:
        """The clients' botocore Config (made when first needed: it imports botocore)."""
        if self._config is None:
            self._config = default_config()
        return self._config

    @property
    def session(self) -> boto3.Session:
        # Created lazily: a missing profile raises here, inside a worker, not at startup.
        with self._lock:
            if self._session is None:
                import boto3

                self._session = boto3.Session(
                    profile_name=self.profile, region_name=self.default_region
                )
            return self._session

    def add_hook(self, event: str, handler: Any) -> None:
        """Register a botocore event handler on every client, present and future."""
        with self._lock:
            self._hooks.append((event, handler))
            clients = list(self._clients.values())
        for client in clients:
            client.meta.events.register(event, handler)

    def hooks(self) -> list[tuple[str, Any]]:
        """The handlers ``add_hook`` registered (another account's clients copy them)."""
        with self._lock:
            return list(self._hooks)

    def client(self, service: str, region: str | None = None) -> Any:
        return self._client(service, region or self.default_region, rows=False)

    def ec2(self, region: str | None = None) -> Any:
        return self.client("ec2", region)

    def listing_ec2(self, region: str | None = None) -> Any:
        """The EC2 client listings use: its DescribeImages answers carry ``Image`` rows
        parsed straight from the XML, not botocore's dicts (amitui.aws.describe_images_hook;
        read them with ``images.page_images``). Anything that reads DescribeImages' dicts
        uses ``ec2``. While the region's prefetched first page (``prefetch``) is not taken,
        the client comes wrapped to hand it over."""
        region = region or self.default_region
        client = self._client("ec2", region, rows=True)
        first = self._first_pages.get(region)
        if first is not None and not first.taken:
            return PrefetchedEc2(client, first)
        return client

    def release_listing(self, region: str) -> None:
        """Drop ``region``'s listing client and close its connections (the next listing
        makes a new one): with --accounts, every account x region listed would keep a
        client, a socket each (200 for 50 accounts x 4 regions, toward the process's file
        limit) and some 150 kB each (its copy of the session's event handlers, its
        endpoint and connection pool): 30 MB of peak RSS at 50 accounts x 4 regions."""
        with self._lock:
            client = self._clients.pop(("ec2", region, True), None)
        if client is not None:
            client.close()

    def prefetch(self, regions: Iterable[str], params: dict[str, Any]) -> None:
        """Send each region's DescribeImages ``params`` now, from a thread per region, for
        the listing's first call with the same parameters to take (amitui.aws.first_page).
        Raises what making a client raises (an unknown profile) before sending anything."""
        for region in regions:
            ec2 = self.listing_ec2(region)
            self._first_pages[region] = FirstPage(ec2, params)

    def _client(self, service: str, region: str, rows: bool) -> Any:
        key = (service, region, rows)
        client = self._clients.get(key)
        if client is not None:
            return client
        session = self.session
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                endpoint = self.endpoint_url if service in ENDPOINT_SERVICES else None
                client = session.client(
                    service, region_name=region, endpoint_url=endpoint, config=self.config
                )
                if self.read_only:
                    client.meta.events.register(f"before-call.{service}", self._refuse_mutation)
                client.meta.events.register("after-call", self._redact_error)
                for event, handler in self._hooks:
                    client.meta.events.register(event, handler)
                if rows:  # (imported here: its XML modules load with the first client)
                    from amitui.aws.describe_images_hook import DescribeImagesRows

                    DescribeImagesRows(region, self.vocabularies).register(client.meta.events)
                self._clients[key] = client
        return client

    def identity(self) -> Identity:
        if self._identity is None:
            answer = self.client("sts").get_caller_identity()
            self._identity = Identity(account=answer["Account"], arn=answer["Arn"])
        return self._identity

    def check_credentials(self) -> Identity:
        """Whose credentials the profile gives now, asked of STS (GetCallerIdentity needs
        no permission) in a session of its own, so they are read afresh (profile, files,
        SSO cache) and no client of this object is built again while they are refused.
        Raises while they are; once they work, this object's clients are rebuilt with them.
        Every probe's session shares one botocore loader: its JSON is decoded once."""
        if self._session_arg is not None:
            core = self._session_arg._session
        else:
            import botocore.session

            core = botocore.session.Session(profile=self.profile)
            with self._lock:
                if self._probe_loader is None:
                    self._probe_loader = core.get_component("data_loader")
                else:
                    core.register_component("data_loader", self._probe_loader)
        sts = core.create_client(
            "sts",
            region_name=self.default_region,
            endpoint_url=self.endpoint_url,
            config=self.config,
        )
        answer = sts.get_caller_identity()
        self.forget_credentials()
        return Identity(account=answer["Account"], arn=answer["Arn"])

    def available_regions(self) -> list[str]:
        """EC2 regions of the session's partition, from botocore's endpoint data."""
        session = self.session
        partition = session.get_partition_for_region(self.default_region)
        return sorted(session.get_available_regions("ec2", partition_name=partition))

    def _secrets(self) -> tuple[str, ...]:
        try:
            credentials = self.session.get_credentials()
            frozen = credentials.get_frozen_credentials() if credentials else None
        except Exception:  # no credentials, or a refresh that failed: patterns only
            return ()
        if frozen is None:
            return ()
        return tuple(v for v in (frozen.token, frozen.secret_key, frozen.access_key) if v)

    def _redact_error(self, parsed: Any = None, **_: Any) -> None:
        error = parsed.get("Error") if isinstance(parsed, dict) else None
        message = error.get("Message") if isinstance(error, dict) else None
        if isinstance(error, dict) and isinstance(message, str) and message:
            error["Message"] = redact(message, self._secrets())
        if isinstance(error, dict) and error.get("Code") in STALE_CREDENTIAL_CODES:
            self.forget_credentials()

    def forget_credentials(self) -> None:
        """The credentials were refused as expired or unknown: the next call builds its
        session and clients again from the profile, so credentials refreshed meanwhile
        (``aws sso login`` in another terminal, a rewritten credentials file) are used
        without a restart. A session handed in by the caller is kept."""
        with self._lock:
            if self._session_arg is not None:
                return
            self._session = None
            self._clients.clear()

    @staticmethod
    def _refuse_mutation(model: Any = None, **_: Any) -> None:
        name = getattr(model, "name", "")
        if is_mutating(name):
            raise ReadOnlyError(name)
