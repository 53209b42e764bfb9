"""Deregistration protection and last launch, as EC2 answers them (issue 15).

* EnableImageDeregistrationProtection (WithCooldown) / DisableImageDeregistrationProtection
  on the caller's own images; ``Return`` is the new DeregistrationProtection value
  (``enabled-without-cooldown``, ``enabled-with-cooldown``, ``disabled``), as the
  AWS CLI's examples show. Protection enabled with a cooldown keeps refusing
  DeregisterImage for ``cooldown_seconds`` (24 h, settable on the state) after it is
  disabled; meanwhile the value reads ``disabled-until <ISO time>`` (our wording).
* RunInstances sets the image's LastLaunchedTime (ISO 8601, ``...Z``). AWS reports it
  with up to 24 h delay; the sandbox at once.
* DescribeImageAttribute answers ``lastLaunchedTime`` and ``deregistrationProtection``
  (moto lacks both); every other attribute is moto's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from . import errors
from .amis import SandboxAmi
from .describe_images import check_image_id, visible_to
from .moto_compat import ActionResult, EC2BaseResponse
from .state import SandboxState


def iso_seconds(moment: datetime) -> str:
    """LastLaunchedTime's form, e.g. 2025-06-01T12:00:00Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class ProtectionMixin(EC2BaseResponse):
    sandbox_state: ClassVar[SandboxState]

    def _own_image(self) -> SandboxAmi:
        ami_id = check_image_id(self._get_param("ImageId"))
        self.error_on_dryrun()
        ami = self.ec2_backend.amis.get(ami_id)
        if ami is None or not visible_to(ami, self.current_account):
            raise errors.ami_not_found([ami_id])
        if ami.owner_id != self.current_account or not isinstance(ami, SandboxAmi):
            raise errors.not_image_owner(ami_id)
        return ami

    def enable_image_deregistration_protection(self) -> ActionResult:
        with_cooldown = bool(self._get_param("WithCooldown", False))
        ami = self._own_image()
        with self.sandbox_state.lock:
            ami.protect(with_cooldown)
            return ActionResult({"Return": ami.deregistration_protection})

    def disable_image_deregistration_protection(self) -> ActionResult:
        ami = self._own_image()
        with self.sandbox_state.lock:
            ami.unprotect(self.sandbox_state.cooldown_seconds)
        # AWS's CLI example answers "disabled"; the image then reads disabled-until ...
        return ActionResult({"Return": "disabled"})

    def run_instances(self) -> ActionResult:
        answer = super().run_instances()  # type: ignore[misc]  # EC2Response, later in the MRO
        reservation: Any = answer.result
        launched = iso_seconds(datetime.now(UTC))
        for instance in getattr(reservation, "instances", []):
            ami = self.ec2_backend.amis.get(instance.image_id)
            if isinstance(ami, SandboxAmi):
                ami.last_launched = launched
        return answer

    def describe_image_attribute(self) -> ActionResult:
        attribute = self._get_param("Attribute")
        if attribute not in ("lastLaunchedTime", "deregistrationProtection"):
            return super().describe_image_attribute()  # type: ignore[misc]
        if not self.sandbox_state.usage_api:
            return super().describe_image_attribute()  # type: ignore[misc]  # plain moto
        ami_id = check_image_id(self._get_param("ImageId"))
        self.error_on_dryrun()
        ami = self.ec2_backend.amis.get(ami_id)
        if ami is None or not visible_to(ami, self.current_account):
            raise errors.ami_not_found([ami_id])
        if ami.owner_id != self.current_account:
            raise errors.not_image_owner(ami_id)
        if attribute == "lastLaunchedTime":
            value = getattr(ami, "last_launched", None)
            key = "LastLaunchedTime"
        else:
            value = getattr(ami, "deregistration_protection", None) or "disabled"
            key = "DeregistrationProtection"
        result: dict[str, Any] = {"ImageId": ami_id, key: {"Value": value} if value else {}}
        return ActionResult(result)
