"""DescribeImages as EC2 answers it: who sees what, filters, paging.

The sandbox selects the images itself (moto's selection differs from AWS's):

* The caller sees its own images, public images, and images shared with its
  account (a launch permission for its id). Another account's private image is
  invisible: asking for it by id is InvalidAMIID.NotFound.
* ImageIds: every id must look like ``ami-`` + 8 or 17 hex digits
  (InvalidAMIID.Malformed) and name a visible image (InvalidAMIID.NotFound for the
  whole call, listing the unknown ids). A recently deregistered image is answered
  with State ``deregistered`` for a while (see lifecycle.DEREGISTERED_VISIBLE_FACTOR),
  then with nothing. Owners, ExecutableUsers and Filters still apply.
* Owners: ``self``, account ids, and the aliases ``amazon``, ``aws-marketplace``,
  ``aws-backup-vault``. ExecutableUsers: images with an explicit launch permission
  for that account (``self`` = the caller); ``all`` = public images. Values are ORed.
* Filters: image_filters.py (every documented filter; unknown names refused).
* Disabled images only with IncludeDisabled=true; other accounts' deprecated images
  only with IncludeDeprecated=true (the owner always sees its own); both are
  answered when asked for by ImageIds.
* MaxResults (5..1000) and NextToken page the answer in image-id order with an
  opaque token; MaxResults or NextToken with ImageIds is
  InvalidParameterCombination. Only the page is serialized, with each image's XML
  reused while the image reads the same (describe_images_xml.py).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar

from . import errors
from .amis import iso_z
from .describe_images_xml import ImageXmlCache
from .image_filters import apply_filters, compile_filters
from .moto_compat import EC2BaseResponse, ItemwiseResult
from .pagination import check_max_results, fingerprint, paginate
from .state import SandboxState

MIN_RESULTS = 5
MAX_RESULTS = 1000
AMI_ID = re.compile(r"ami-(?:[0-9a-f]{8}|[0-9a-f]{17})")
OWNER_ALIASES = ("amazon", "aws-marketplace", "aws-backup-vault")


def is_deprecated(ami: Any, now_iso: str) -> bool:
    when = getattr(ami, "deprecation_time", None)
    return bool(when and when <= now_iso)


def check_image_id(ami_id: Any) -> str:
    """AWS's image id syntax: ``ami-`` and 8 or 17 lower-case hex digits."""
    if not isinstance(ami_id, str) or not AMI_ID.fullmatch(ami_id):
        raise errors.malformed_ami_id(str(ami_id or ""))
    return ami_id


def shared_with(ami: Any, account_id: str) -> bool:
    return any(p.get("UserId") == account_id for p in ami.launch_permissions)


def visible_to(ami: Any, account_id: str) -> bool:
    """Own, public, or shared with the account: what DescribeImages may show it."""
    return ami.owner_id == account_id or ami.is_public or shared_with(ami, account_id)


def own_image(backend: Any, account_id: str, ami_id: str) -> Any:
    """The caller's own image ``ami_id``: InvalidAMIID.NotFound if the caller cannot see
    it, AuthFailure if another account owns it (the owner-only actions)."""
    ami = backend.amis.get(ami_id)
    if ami is None or not visible_to(ami, account_id):
        raise errors.ami_not_found([ami_id])
    if ami.owner_id != account_id:
        raise errors.not_image_owner(ami_id)
    return ami


def _executable_by(images: Iterable[Any], users: list[str], account_id: str) -> list[Any]:
    wanted = {account_id if user == "self" else user for user in users}
    return [
        ami
        for ami in images
        if ("all" in wanted and ami.is_public)
        or any(p.get("UserId") in wanted for p in ami.launch_permissions)
    ]


def _owned_by(images: Iterable[Any], owners: list[str], account_id: str) -> list[Any]:
    ids = {account_id if owner == "self" else owner for owner in owners}
    aliases = ids & set(OWNER_ALIASES)
    return [ami for ami in images if ami.owner_id in ids or ami.owner_alias in aliases]


def images_result(
    images: list[Any], token: str | None, usage_api: bool, cache: ImageXmlCache
) -> ItemwiseResult:
    """The answer: these images (with the usage API off, as plain moto shows them:
    amis.plain_view) and the token, written by moto's serializer with each image's XML
    kept in ``cache`` (describe_images_xml.py)."""
    shown = [
        (ami, ami.plain_view() if not usage_api and hasattr(ami, "plain_view") else ami)
        for ami in images
    ]
    result: dict[str, Any] = {"Images": [image for _, image in shown]}
    if token:
        result["NextToken"] = token
    return ItemwiseResult(result, "Images", lambda writer: cache.answer(writer, result, shown))


class DescribeImagesMixin(EC2BaseResponse):
    """Replaces moto's ``describe_images`` on the sandbox's EC2 response class."""

    sandbox_state: ClassVar[SandboxState]

    def describe_images(self) -> ItemwiseResult:
        get = self._get_param
        ami_ids: list[str] = get("ImageIds", [])
        max_results = get("MaxResults")
        next_token = get("NextToken")
        owners: list[str] = get("Owners", [])
        exec_users: list[str] = get("ExecutableUsers", [])
        filters = get("Filters", [])
        include_deprecated = bool(get("IncludeDeprecated", False))
        include_disabled = bool(get("IncludeDisabled", False))
        if ami_ids and (max_results is not None or next_token):
            raise errors.invalid_parameter_combination(
                "The parameter imageIdsSet cannot be used with the parameter maxResults"
            )
        check_max_results(max_results, MIN_RESULTS, MAX_RESULTS)
        for ami_id in ami_ids:
            check_image_id(ami_id)
        compile_filters(filters)  # an unknown filter is refused before anything else
        self.error_on_dryrun()
        account = self.current_account
        if ami_ids:
            images = self._by_ids(ami_ids, account)
        else:
            images = [
                ami for ami in list(self.ec2_backend.amis.values()) if visible_to(ami, account)
            ]
            images = self._listed(images, account, include_deprecated, include_disabled)
        if exec_users:
            images = _executable_by(images, exec_users, account)
        if owners:
            images = _owned_by(images, owners, account)
        images = apply_filters(images, filters)
        if max_results is None and not next_token:
            return self._answer(sorted(images, key=lambda ami: ami.id), None)
        query = fingerprint(
            self.region,
            sorted(owners),
            sorted(exec_users),
            sorted(repr(sorted(f.items())) for f in filters),
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
        return self._answer(page, token)

    def _answer(self, images: list[Any], token: str | None) -> ItemwiseResult:
        state = self.sandbox_state
        return images_result(images, token, state.usage_api, state.image_xml)

    def _by_ids(self, ami_ids: list[str], account: str) -> list[Any]:
        backend = self.ec2_backend
        book = self.sandbox_state.book(account, self.region)
        found, unknown = [], []
        now = time.time()
        for ami_id in dict.fromkeys(ami_ids):
            ami = backend.amis.get(ami_id)
            if ami is not None and visible_to(ami, account):
                found.append(ami)
            elif ami_id in backend.deleted_amis:
                gone = book.recently_deregistered(ami_id, now)
                if gone is not None:
                    found.append(gone)
            else:
                unknown.append(ami_id)
        if unknown:
            raise errors.ami_not_found(unknown)
        return found

    @staticmethod
    def _listed(
        images: list[Any], account_id: str, include_deprecated: bool, include_disabled: bool
    ) -> list[Any]:
        now_iso = iso_z(datetime.fromtimestamp(time.time(), UTC))
        kept = []
        for ami in images:
            if ami.state == "disabled" and (not include_disabled or ami.owner_id != account_id):
                continue
            if (
                not include_deprecated
                and ami.owner_id != account_id
                and is_deprecated(ami, now_iso)
            ):
                continue
            kept.append(ami)
        return kept
