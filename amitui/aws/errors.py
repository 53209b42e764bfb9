"""Turn any exception from botocore (or our own) into one readable line: cause and fix."""

from __future__ import annotations

import sys
from types import ModuleType

from amitui.aws.clients import ReadOnlyError

SANDBOX_HINT = "or try `amitui --demo` for the sandbox"

_CODE_HINTS = {
    "ExpiredToken": "your session credentials expired: refresh them (e.g. `aws sso login{p}`)",
    "ExpiredTokenException": "your session credentials expired: refresh them (`aws sso login{p}`)",
    "RequestExpired": "the request expired: check the machine's clock",
    "AuthFailure": "the credentials were refused: check the profile{p2}",
    "UnauthorizedOperation": "your IAM policy does not allow this call",
    "AccessDenied": "your IAM policy does not allow this call",
    "AccessDeniedException": "your IAM policy does not allow this call",
    "RequestLimitExceeded": "AWS is throttling this account; amitui retries with backoff",
    "InvalidClientTokenId": "the access key is not known to AWS: check the profile{p2}",
    "SignatureDoesNotMatch": "the secret key does not match: check the profile{p2}",
}


#: An error line quotes at most this much of what the endpoint or botocore said.
MAX_QUOTE = 500


def _one_line(text: str, limit: int = MAX_QUOTE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _botocore_exceptions() -> ModuleType | None:
    """botocore's exceptions, if botocore is loaded; if it is not, no exception can be one
    of them (so the UI's start, which shows cached rows before botocore loads, does not
    load it to describe an error of its own)."""
    return sys.modules.get("botocore.exceptions")


def error_code(exc: BaseException) -> str | None:
    bce = _botocore_exceptions()
    if bce is not None and isinstance(exc, bce.ClientError):
        return exc.response.get("Error", {}).get("Code")
    return None


def describe_error(exc: BaseException, profile: str | None = None) -> str:
    """One line: what went wrong, and what to do about it. Never a traceback."""
    p = f" --profile {profile}" if profile else ""
    p2 = f" '{profile}'" if profile else ""
    if isinstance(exc, ReadOnlyError):
        return str(exc)
    bce = _botocore_exceptions()
    line = None if bce is None else _botocore_line(exc, bce, p, p2)
    if line is not None:
        return line
    text = _one_line(str(exc)) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def _botocore_line(exc: BaseException, bce: ModuleType, p: str, p2: str) -> str | None:
    """describe_error's line for one of botocore's exceptions (None: not one of them)."""
    if isinstance(exc, bce.ClientError):
        err = exc.response.get("Error", {})
        code = err.get("Code") or "Error"
        # AWS messages may span lines (S3 quotes whole requests): one line, always.
        message = _one_line(err.get("Message") or "") or _one_line(str(exc))
        line = f"{code}: {message}"
        hint = _CODE_HINTS.get(code)
        return f"{line} — {hint.format(p=p, p2=p2)}" if hint else line
    if isinstance(exc, bce.NoCredentialsError):
        return (
            "No AWS credentials found — run `aws configure` or `aws sso login"
            f"{p}`, set AWS_PROFILE, {SANDBOX_HINT}"
        )
    if isinstance(exc, bce.ProfileNotFound):
        return f"{exc} — check ~/.aws/config or pass --profile, {SANDBOX_HINT}"
    if isinstance(
        exc,
        bce.SSOTokenLoadError | bce.UnauthorizedSSOTokenError | bce.TokenRetrievalError,
    ):
        return f"SSO session expired or missing — run `aws sso login{p}`"
    if isinstance(exc, bce.ConnectTimeoutError | bce.ReadTimeoutError):
        return (
            f"Timed out talking to {getattr(exc, 'kwargs', {}).get('endpoint_url', 'AWS')}: {exc}"
        )
    if isinstance(exc, bce.EndpointConnectionError):
        url = exc.kwargs.get("endpoint_url", "the endpoint")
        return f"Cannot reach {url} — check the network or --endpoint-url, {SANDBOX_HINT}"
    if isinstance(exc, bce.ParamValidationError):
        return f"Invalid request: {' '.join(str(exc).split())}"
    # botocore quotes the whole body: not here. (Only botocore.parsers raises it, so it is
    # loaded if this is one; importing it here would load botocore's parsers at startup.)
    parsers = sys.modules.get("botocore.parsers")
    if parsers is not None and isinstance(exc, parsers.ResponseParserError):
        return (
            "The endpoint's answer could not be read (cut off, or not AWS's XML) — try "
            "again; if it keeps happening, check the network, a proxy or --endpoint-url"
        )
    if isinstance(exc, bce.BotoCoreError):
        return f"{type(exc).__name__}: {_one_line(str(exc))}"
    return None
