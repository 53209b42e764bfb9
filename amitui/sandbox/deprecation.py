"""Deprecation and disabling, as EC2 answers them (issue 16).

* EnableImageDeprecation: the owner's image only (AuthFailure otherwise). DeprecateAt
  must be in the future and at most 10 years ahead -- 2 years after the image's
  creation for a public image (AWS's documented limits); EC2 rounds it to the
  nearest minute, and DescribeImages shows the rounded DeprecationTime
  (``2027-06-30T12:35:00.000Z``). Refusals are InvalidParameterValue (our wording).
  DisableImageDeprecation removes DeprecationTime. Both answer ``Return`` true.
* A deprecated image leaves other accounts' DescribeImages unless IncludeDeprecated
  (describe_images.py; the owner keeps seeing its own, as AWS documents).
* DisableImage: the owner's ``available`` image (IncorrectState otherwise, our
  wording) becomes ``disabled`` and loses every launch permission (accounts,
  organizations, OUs and public); DescribeImages shows it only with IncludeDisabled
  or by id. EnableImage puts a ``disabled`` image back to ``available`` without any
  of the permissions it lost.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from . import errors
from .amis import iso_z
from .describe_images import check_image_id, own_image
from .moto_compat import ActionResult, EC2BaseResponse
from .state import SandboxState

MAX_YEARS_AHEAD = 10
PUBLIC_MAX_YEARS_AFTER_CREATION = 2


def as_utc(value: Any) -> datetime:
    """A timestamp parameter (moto passes an ISO string or a datetime) in UTC."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise errors.malformed_parameter("DeprecateAt", value) from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def round_to_minute(moment: datetime) -> datetime:
    """EC2: "If you specify a value for seconds, Amazon EC2 rounds the seconds to the
    nearest minute" (30 seconds and up round up)."""
    base = moment.replace(second=0, microsecond=0)
    return base + timedelta(minutes=1) if moment - base >= timedelta(seconds=30) else base


def years_after(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def deprecation_limit(ami: Any, now: datetime) -> tuple[datetime, str]:
    """The latest DeprecateAt EC2 accepts for ``ami`` at ``now``, and why."""
    if ami.is_public:
        created = as_utc(ami.creation_date)
        return years_after(created, PUBLIC_MAX_YEARS_AFTER_CREATION), (
            "a public image can be deprecated up to 2 years after its creation date"
        )
    return years_after(now, MAX_YEARS_AHEAD), "up to 10 years from now"


class DeprecationMixin(EC2BaseResponse):
    sandbox_state: ClassVar[SandboxState]

    def _owned(self) -> Any:
        ami_id = check_image_id(self._get_param("ImageId"))
        self.error_on_dryrun()
        return own_image(self.ec2_backend, self.current_account, ami_id)

    def enable_image_deprecation(self) -> ActionResult:
        raw = self._get_param("DeprecateAt")
        ami_id = check_image_id(self._get_param("ImageId"))
        wanted = as_utc(raw)
        self.error_on_dryrun()
        ami = own_image(self.ec2_backend, self.current_account, ami_id)
        now = datetime.now(UTC)
        if wanted <= now:
            raise errors.deprecation_in_past(iso_z(wanted))
        limit, why = deprecation_limit(ami, now)
        if wanted > limit:
            raise errors.deprecation_too_late(iso_z(wanted), iso_z(limit), why)
        with self.sandbox_state.lock:
            ami.deprecation_time = iso_z(round_to_minute(wanted))
        return ActionResult({"Return": True})

    def disable_image_deprecation(self) -> ActionResult:
        ami = self._owned()
        with self.sandbox_state.lock:
            ami.deprecation_time = None
        return ActionResult({"Return": True})

    def disable_image(self) -> ActionResult:
        ami = self._owned()
        with self.sandbox_state.lock:
            if ami.state != "available":
                raise errors.image_not_available(ami.id, ami.state, "DisableImage")
            ami.launch_permissions.clear()  # accounts, organizations, OUs, public
            ami.state = "disabled"
        return ActionResult({"Return": True})

    def enable_image(self) -> ActionResult:
        ami = self._owned()
        with self.sandbox_state.lock:
            if ami.state != "disabled":
                raise errors.image_not_disabled(ami.id, ami.state)
            ami.state = "available"  # the launch permissions it lost stay lost
        return ActionResult({"Return": True})
