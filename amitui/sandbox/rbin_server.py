"""The Recycle Bin API (``rbin``, rest-json) on the sandbox's one URL.

moto 5.2.5 has no ``rbin`` service: its dispatcher picks a backend from the signed
request's credential scope (``Credential=<key>/<date>/<region>/<service>/aws4_request``)
and finds none for ``rbin``. ``SandboxDispatcher`` reads the same scope first and hands
``rbin`` requests to ``RecycleBinApp``; everything else goes to moto's dispatcher.

Operations: CreateRule (``POST /rules``, 201), ListRules (``POST /list-rules``: the
ResourceType it requires, ResourceTags, ExcludeResourceTags, LockState; MaxResults
1..1000 / NextToken, default page 1000), GetRule (``GET /rules/{id}``), DeleteRule
(``DELETE /rules/{id}``, 204). Errors are rest-json as AWS sends them: the code in
``x-amzn-ErrorType``, ``{"message": ..., "Reason": ...}``, with the model's HTTP status
(ValidationException 400, ResourceNotFoundException 404, ConflictException 409). The other
rbin operations (tags, UpdateRule, Lock/UnlockRule) answer ValidationException "not
supported by the amitui sandbox" -- never an HTML page. The rules live in the sandbox
state per (account, region) (``RegionBook.rbin_rules``); rbin_rules.py says what a rule
retains. The account is moto's default (any credentials are accepted).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from .moto_compat import DEFAULT_ACCOUNT_ID, random_hex
from .rbin_rules import (
    RULE_ID,
    RbinError,
    RetentionRule,
    check_input,
    check_rule_request,
    listed,
    rule_locked,
    rule_not_found,
    validation,
)
from .state import SandboxState

log = logging.getLogger(__name__)
MAX_RESULTS = 1000


def credential_scope(environ: dict[str, Any]) -> tuple[str, str] | None:
    """(region, service) of a SigV4-signed request, or None."""
    auth = environ.get("HTTP_AUTHORIZATION") or ""
    marker = "Credential="
    start = auth.find(marker)
    if start < 0:
        return None
    scope = auth[start + len(marker) :].split(",")[0].strip().split("/")
    if len(scope) != 5:
        return None
    return scope[2], scope[3].lower()


class SandboxDispatcher:
    """WSGI: ``rbin`` requests to ``rbin``, the rest to moto's dispatcher."""

    def __init__(self, moto_app: Callable[..., Any], rbin: Callable[..., Any]) -> None:
        self.moto_app = moto_app
        self.rbin = rbin

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        scope = credential_scope(environ)
        if scope is not None and scope[1] == "rbin":
            return self.rbin(environ, start_response)
        return self.moto_app(environ, start_response)


def _json(status: int, payload: dict[str, Any] | None) -> Response:
    body = "" if payload is None else json.dumps(payload, default=_timestamp)
    response = Response(body, status=status, content_type="application/json")
    response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    return response


def _timestamp(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"not JSON: {value!r}")


def _error(refusal: RbinError) -> Response:
    payload: dict[str, Any] = {"message": refusal.message}
    if refusal.reason:
        payload["Reason"] = refusal.reason
    response = _json(refusal.status, payload)
    response.headers["x-amzn-ErrorType"] = refusal.code
    return response


def _encode_token(after: str, query: str) -> str:
    return base64.b64encode(json.dumps([after, query]).encode()).decode()


def _decode_token(token: str, query: str) -> str:
    try:
        after, made_for = json.loads(base64.b64decode(token.encode(), validate=True))
        if made_for != query or not isinstance(after, str):
            raise ValueError(token)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise validation("The NextToken is not valid.", "INVALID_PAGE_TOKEN") from None
    return after


class RecycleBinApp:
    """WSGI application answering the rbin operations from ``state``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        region = (credential_scope(environ) or ("us-east-1", "rbin"))[0]
        try:
            response = self._route(request, region)
        except RbinError as refusal:
            response = _error(refusal)
        except Exception:
            log.exception("amitui sandbox: an rbin request failed inside the sandbox")
            response = _error(
                RbinError(500, "InternalServerException", "amitui sandbox internal error")
            )
        return response(environ, start_response)

    # -- routing ------------------------------------------------------------------------
    def _route(self, request: Request, region: str) -> Response:
        method, path = request.method, request.path.rstrip("/")
        parts = [p for p in path.split("/") if p]
        if method == "POST" and parts == ["rules"]:
            return self._create(self._body(request, "CreateRule"), region)
        if method == "POST" and parts == ["list-rules"]:
            return self._list(self._body(request, "ListRules"), region)
        if len(parts) == 2 and parts[0] == "rules" and method in ("GET", "DELETE"):
            identifier = parts[1]
            if not RULE_ID.fullmatch(identifier):
                raise validation(
                    f"1 validation error detected: Value '{identifier}' at 'identifier' failed "
                    "to satisfy constraint: Member must satisfy regular expression pattern: "
                    "[0-9a-zA-Z]{11}"
                )
            if method == "GET":
                return _json(200, self._rule(region, identifier).full())
            return self._delete(region, identifier)
        raise validation(f"{method} {path} is not supported by the amitui sandbox's Recycle Bin.")

    @staticmethod
    def _body(request: Request, operation: str) -> dict[str, Any]:
        raw = request.get_data(as_text=True) or "{}"
        try:
            body = json.loads(raw)
        except ValueError:
            raise validation("The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise validation("The request body must be a JSON object.")
        check_input(operation, body)
        return body

    def _rules(self, region: str) -> dict[str, RetentionRule]:
        return self.state.book(DEFAULT_ACCOUNT_ID, region).rbin_rules

    def _rule(self, region: str, identifier: str) -> RetentionRule:
        rule = self._rules(region).get(identifier)
        if rule is None:
            raise rule_not_found(identifier)
        return rule

    # -- operations ---------------------------------------------------------------------
    def _create(self, body: dict[str, Any], region: str) -> Response:
        check_rule_request(body)
        rule = create_rule(self.state, region, body)
        answer = rule.full()
        if rule.tags:
            answer["Tags"] = rule.tags
        return _json(201, answer)

    def _list(self, body: dict[str, Any], region: str) -> Response:
        query = json.dumps(
            {k: v for k, v in sorted(body.items()) if k not in ("MaxResults", "NextToken")},
            sort_keys=True,
        )
        size = int(body.get("MaxResults") or MAX_RESULTS)
        with self.state.lock:
            rules = sorted(self._rules(region).values(), key=lambda r: r.identifier)
        rules = [rule for rule in rules if listed(rule, body)]
        if body.get("NextToken"):
            after = _decode_token(body["NextToken"], query)
            rules = [rule for rule in rules if rule.identifier > after]
        page = rules[:size]
        answer: dict[str, Any] = {"Rules": [rule.summary() for rule in page]}
        if len(rules) > size and page:
            answer["NextToken"] = _encode_token(page[-1].identifier, query)
        return _json(200, answer)

    def _delete(self, region: str, identifier: str) -> Response:
        with self.state.lock:
            rule = self._rule(region, identifier)
            if rule.lock_state == "locked":
                raise rule_locked(identifier)
            del self._rules(region)[identifier]
        return _json(204, None)


def create_rule(
    state: SandboxState, region: str, body: dict[str, Any], account: str = DEFAULT_ACCOUNT_ID
) -> RetentionRule:
    """A new rule from a CreateRule request body (checked), kept in ``state``."""
    lock = body.get("LockConfiguration") or {}
    rule = RetentionRule(
        identifier=random_hex(11),
        account=account,
        region=region,
        resource_type=body["ResourceType"],
        retention_days=int(body["RetentionPeriod"]["RetentionPeriodValue"]),
        description=body.get("Description") or "",
        resource_tags=list(body.get("ResourceTags") or []),
        exclude_tags=list(body.get("ExcludeResourceTags") or []),
        tags=list(body.get("Tags") or []),
        unlock_delay_days=(lock["UnlockDelay"]["UnlockDelayValue"] if lock else None),
    )
    with state.lock:
        state.book(account, region).rbin_rules[rule.identifier] = rule
    return rule
