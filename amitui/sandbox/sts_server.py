"""STS on the sandbox's URL: moto's, except that AssumeRole needs the role to exist.

moto 5.2.5 lets anyone assume any role ARN, existing or not. AWS refuses a role that is
not there (or whose trust policy does not name the caller) with HTTP 403 ``AccessDenied``
and a message naming the caller and the role; that is what the organization's account
without ``OrganizationAccountAccessRole`` must answer (catalogue_org.py). The role is
looked up in the target account's IAM (moto's, where the seeded roles live).

Credentials from a successful AssumeRole are moto's own: its access key belongs to the
role's account, so every later request signed with it is answered as that account
(moto reads the account from the access key).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from .moto_compat import ActionResult, ServiceException, TokenResponse, iam_role_exists

ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$")


class AccessDenied(ServiceException):
    """STS's AccessDenied (not in botocore's model: a common error, HTTP 403)."""

    code = "AccessDenied"


def denied_message(caller_arn: str, role_arn: str) -> str:
    return (
        f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    )


class SandboxTokenResponse(TokenResponse):
    def assume_role(self) -> ActionResult:
        role_arn = self._get_param("RoleArn") or ""
        match = ROLE_ARN.match(role_arn)
        if match is None or not iam_role_exists(match.group(1), match.group(2)):
            caller = self.backend.get_caller_identity(self.get_access_key(), self.region)[1]
            raise AccessDenied(denied_message(caller, role_arn))
        return super().assume_role()

    def serialized(self, action_result: ActionResult) -> Any:
        if not isinstance(action_result.result, AccessDenied):
            return super().serialized(action_result)
        with warnings.catch_warnings():  # moto warns: the code is not in STS's model
            warnings.simplefilter("ignore", UserWarning)
            _, headers, body = super().serialized(action_result)
        return 403, headers, body
