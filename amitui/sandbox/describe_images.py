"""DescribeImages with AWS's paging and its deprecated/disabled visibility rules.

Owners, ExecutableUsers, Filters and ImageIds go to moto's backend unchanged (its
semantics, its errors). On top of that:

* MaxResults (5..1000) and NextToken page the result; without either the answer
  is one page, as on AWS. AWS refuses MaxResults together with ImageIds, so do we.
* Disabled images are left out unless IncludeDisabled=true; deprecated images of
  other accounts are left out unless IncludeDeprecated=true (the owner always sees
  its own). Both are shown when asked for by ImageIds, so a poller can follow them.
* ImageIds naming an image that never existed fail the call (InvalidAMIID.NotFound), as
  EC2 does, even if other ids exist; moto would answer with the known ones. Recently
  deregistered ids answer with nothing, as on AWS.
* Only the page is serialized: moto's per-image cost is paid for the page alone.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.responses._base_response import EC2BaseResponse

from . import errors
from .amis import iso_z
from .pagination import check_max_results, fingerprint, paginate

MIN_RESULTS = 5
MAX_RESULTS = 1000


def is_deprecated(ami: Any, now_iso: str) -> bool:
    when = getattr(ami, "deprecation_time", None)
    return bool(when) and when <= now_iso


class DescribeImagesMixin(EC2BaseResponse):
    """Replaces moto's ``describe_images`` on the sandbox's EC2 response class."""

    def describe_images(self) -> ActionResult:
        self.error_on_dryrun()
        get = self._get_param
        ami_ids: list[str] = get("ImageIds", [])
        max_results = get("MaxResults")
        next_token = get("NextToken")
        if ami_ids and (max_results is not None or next_token):
            raise errors.invalid_parameter_combination(
                "The parameter imageIdsSet cannot be used with the parameter maxResults"
            )
        check_max_results(max_results, MIN_RESULTS, MAX_RESULTS)
        owners = get("Owners", [])
        exec_users = get("ExecutableUsers", [])
        filters = self._filters_from_querystring()
        include_deprecated = bool(get("IncludeDeprecated", False))
        include_disabled = bool(get("IncludeDisabled", False))
        backend = self.ec2_backend
        images = backend.describe_images(
            ami_ids=ami_ids, filters=filters, exec_users=exec_users, owners=owners
        )
        unknown = [i for i in ami_ids if i not in backend.amis and i not in backend.deleted_amis]
        if unknown:
            raise errors.ami_not_found(unknown)
        if not ami_ids:
            images = self._visible(images, backend.account_id, include_deprecated, include_disabled)
        if max_results is None and not next_token:
            return ActionResult({"Images": images})
        query = fingerprint(
            self.region,
            sorted(owners),
            sorted(exec_users),
            sorted((k, sorted(v)) for k, v in filters.items()),
            include_deprecated,
            include_disabled,
        )
        page, token = paginate(
            images,
            key=lambda ami: ami.id,
            max_results=max_results,
            next_token=next_token,
            query=query,
            default_page=MAX_RESULTS,
        )
        result: dict[str, Any] = {"Images": page}
        if token:
            result["NextToken"] = token
        return ActionResult(result)

    @staticmethod
    def _visible(
        images: list[Any], account_id: str, include_deprecated: bool, include_disabled: bool
    ) -> list[Any]:
        now_iso = iso_z(datetime.fromtimestamp(time.time(), UTC))
        kept = []
        for ami in images:
            if not include_disabled and ami.state == "disabled":
                continue
            if (
                not include_deprecated
                and ami.owner_id != account_id
                and is_deprecated(ami, now_iso)
            ):
                continue
            kept.append(ami)
        return kept
