"""Every moto internal the sandbox touches, in one place, for one pinned moto.

The sandbox reaches into moto: its EC2 response class and dispatch, its backends
and models, its error type, its id generator and its server app. None of that is
public API, so it is imported here and nowhere else in ``amitui.sandbox``; the
other modules import these names from this module. Importing it with another
moto than ``PINNED_MOTO`` raises at once (a clear message instead of an odd
failure on some later request). After a deliberate upgrade: change the pin here
and in pyproject.toml, then run tests/sandbox -- the fidelity suite
(tests/sandbox/test_fidelity_*.py) is what says whether the answers still match AWS.
"""

from __future__ import annotations

import copyreg
import json
import os
from collections.abc import Callable
from typing import Any

import moto
import xmltodict

PINNED_MOTO = "5.2.5"

if moto.__version__ != PINNED_MOTO:  # pragma: no cover - only with a wrong install
    raise RuntimeError(
        f"amitui sandbox needs moto=={PINNED_MOTO} (found {moto.__version__}); "
        "its internals are used in amitui/sandbox/moto_compat.py. "
        f"Install the pin: pip install 'moto[server]=={PINNED_MOTO}'"
    )

# ruff: noqa: E402 -- the version check must run before moto's internals load.
from moto import settings as moto_settings
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict
from moto.core.exceptions import ServiceException
from moto.core.model_instances import reset_model_data
from moto.core.responses import ActionResult, EmptyResult
from moto.core.serialize import AttributePickerContext, EC2Serializer, XFormedAttributePicker
from moto.core.utils import MISSING, convert_to_flask_response, get_value
from moto.core.utils import get_service_model as service_model
from moto.ec2.exceptions import EC2ClientError, InvalidSnapshotIdError
from moto.ec2.models import ec2_backends
from moto.ec2.models.amis import Ami
from moto.ec2.responses import EC2Response
from moto.ec2.responses._base_response import EC2BaseResponse
from moto.ec2.utils import random_ami_id
from moto.iam.models import iam_backends
from moto.moto_api._internal import mock_random
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.organizations.models import FakeAccount, organizations_backends
from moto.organizations.utils import DEFAULT_RCP_POLICY_ID, DEFAULT_SCP_POLICY_ID
from moto.s3.models import s3_backends
from moto.ssm.models import ParameterDict, ssm_backends
from moto.sts.responses import TokenResponse

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "MISSING",
    "PINNED_MOTO",
    "ActionResult",
    "Ami",
    "BackendDict",
    "EC2BaseResponse",
    "EC2ClientError",
    "EC2Response",
    "EmptyResult",
    "HostCachingDispatcher",
    "InvalidSnapshotIdError",
    "ItemwiseResult",
    "ListWriter",
    "MotoRequestHandler",
    "ServiceException",
    "TokenResponse",
    "add_org_account",
    "backend_dicts",
    "bucket_region",
    "convert_to_flask_response",
    "create_backend_app",
    "create_organization",
    "ec2_backends",
    "ec2_regions",
    "get_value",
    "iam_role_exists",
    "member_ec2_backend",
    "mock_random",
    "random_ami_id",
    "random_hex",
    "reset_model_data",
    "reset_moto",
    "s3_backend",
    "s3_backends",
    "s3_object_exists",
    "service_model",
    "ssm_parameter_values",
]


class HostCachingDispatcher(DomainDispatcherApplication):
    """moto's server app, with each request's backend looked up once per host.

    moto's own lookup lists its package directory (a stat per entry, about 170) and then
    tries every service's URL patterns, for every request, under the dispatcher's lock:
    a seventh of the busy samples py-spy took over tests/app/test_cleanup.py; kept, the
    sys time of those tests and the poller's fell from 4.5 s to 3.5 s. The answer
    depends only on the host (the modules and patterns do not change while it runs), so
    it is kept per host: a few dozen services and regions at most."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._backends_by_host: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        # Called under the dispatcher's lock (get_application).
        try:
            return self._backends_by_host[host]
        except KeyError:
            backend = self._backends_by_host[host] = super().get_backend_for_host(host)
            return backend


def reset_moto() -> None:
    """Wipe every moto backend and model (moto keeps them in process globals)."""
    BackendDict.reset()
    organizations_backends.master_accounts.clear()  # not a backend: reset leaves it
    # Resetting re-creates each backend; Auto Scaling's makes an EC2 backend as it does,
    # before the catalogue seeds moto's random ids. Drop it, so that EC2 backends are
    # made after the seed, as on a fresh start (same seed, same ids).
    ec2_backends.clear()
    reset_model_data()


# -- what moto_snapshot.py needs to copy the backends ----------------------------------------


def backend_dicts() -> list[Any]:
    """moto's list of the BackendDicts in use (a class attribute, shared by all)."""
    instances: list[Any] = BackendDict._instances  # type: ignore[misc]
    return instances


def _new_parameter_dict(account_id: str, region_name: str) -> Any:
    return ParameterDict(account_id, region_name)


def _reduce_parameter_dict(parameters: Any) -> Any:
    # a defaultdict whose __init__ takes (account, region), not a factory
    return (
        _new_parameter_dict,
        (parameters.account_id, parameters.region_name),
        dict(vars(parameters)),
        None,
        iter(list(parameters.items())),
    )


copyreg.pickle(ParameterDict, _reduce_parameter_dict)


def ec2_regions(account_id: str) -> list[str]:
    """The regions moto's EC2 knows for an account."""
    return list(ec2_backends[account_id].regions)


def s3_backend(account_id: str, partition: str = "aws") -> Any:
    return s3_backends[account_id][partition]


def bucket_region(account_id: str, partition: str, bucket: str) -> str | None:
    """The region a bucket was created in, or None if there is no such bucket."""
    found = s3_backend(account_id, partition).buckets.get(bucket)
    return None if found is None else found.region_name


def s3_object_exists(account_id: str, partition: str, bucket: str, key: str) -> bool:
    found = s3_backend(account_id, partition).buckets.get(bucket)
    return found is not None and key in found.keys


def random_hex(length: int) -> str:
    """Hex digits from moto's (seedable) generator, so seeded runs repeat their ids."""
    return mock_random.get_random_hex(length)


def ssm_parameter_values(account_id: str, region: str) -> list[tuple[str, str]]:
    """(name, current value) of the account's own SSM parameters in a region (moto's
    ParameterDict keeps every version of a parameter, the current one last)."""
    parameters = ssm_backends[account_id][region]._parameters
    return [
        (name, versions[-1].value)
        for name, versions in list(parameters.items())
        if versions and not str(name).startswith("/aws/")  # AWS's public parameters
    ]


# -- Organizations, IAM roles (catalogue_org.py, sts_server.py) -----------------------------


def create_organization(management_account: str) -> Any:
    """Create an organization (all features) with ``management_account`` as its management
    account; returns moto's Organizations backend of that account."""
    backend = organizations_backends[management_account]["aws"]
    backend.create_organization(region="us-east-1", FeatureSet="ALL")
    return backend


def add_org_account(
    backend: Any, account_id: str, name: str, email: str, role_name: str | None
) -> Any:
    """Add a member account with a chosen id to the organization of ``backend`` (moto's
    CreateAccount draws a random id), with the role ``role_name`` that trusts the management
    account (None: no role at all, as in an invited account that never created it)."""
    account = FakeAccount(backend.org, AccountName=name, Email=email, RoleName="_amitui_unused")
    iam_backends.pop(account.id, None)  # the random id's role, made by FakeAccount
    account.id = account_id
    backend.accounts.append(account)
    for policy_id in (DEFAULT_SCP_POLICY_ID, DEFAULT_RCP_POLICY_ID):
        backend.attach_policy(PolicyId=policy_id, TargetId=account_id)
    organizations_backends.master_accounts[account_id] = (backend.account_id, "aws")
    if role_name is not None:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{backend.account_id}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        iam_backends[account_id]["global"].create_role(
            role_name=role_name,
            assume_role_policy_document=json.dumps(trust),
            path="/",
            permissions_boundary=None,
            description="",
            tags=[],
            max_session_duration="3600",
        )
    return account


def iam_role_exists(account_id: str, role_name: str) -> bool:
    """Whether ``account_id`` has an IAM role of that name (without creating its backend)."""
    if account_id not in iam_backends:
        return False
    roles = iam_backends[account_id]["global"].roles.values()
    return any(role.name == role_name for role in list(roles))


def member_ec2_backend(account_id: str, region: str) -> Any:
    """An account's EC2 backend in a region, made without moto's public Amazon catalogue
    (loading it costs ~0.25 s per backend; the management account's backends have it).
    moto reads MOTO_EC2_LOAD_DEFAULT_AMIS when a backend is made: set for that moment
    only, while the sandbox seeds (before it answers anyone else)."""
    before = os.environ.get("MOTO_EC2_LOAD_DEFAULT_AMIS")
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    try:
        return ec2_backends[account_id][region]
    finally:
        if before is None:
            os.environ.pop("MOTO_EC2_LOAD_DEFAULT_AMIS", None)
        else:
            os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = before


# -- DescribeImages' list written item by item (describe_images_xml.py) ---------------------


class ListWriter:
    """moto's EC2 serializer for one answer, with its list member ``member`` (``Images``)
    written item by item: ``keys`` are the names moto's value picker tries on an item for
    each member of the item's shape, ``item_xml`` is the XML moto writes for one item in
    the list, ``serialize`` the whole answer. One writer per request (it keeps a path)."""

    def __init__(self, context: Any, member: str) -> None:
        transformers = getattr(context.response, "RESPONSE_KEY_PATH_TO_TRANSFORMER", None)
        picker = XFormedAttributePicker(response_transformers=transformers)
        self._operation = context.operation_model
        self._serializer = EC2Serializer(self._operation, value_picker=picker)
        output = self._operation.output_shape
        self.member = member
        self.item_shape = output.members[member].member
        self._item_key = self._serializer.get_serialized_name(self.item_shape, self.item_shape.name)
        self._item_path = [str(self._operation.name), output.name, member]
        # what any item's XML depends on besides the item (moto's actions add transformers)
        self.generation = (self.item_shape, tuple((transformers or {}).items()))

    def keys(self, item: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(member, the names moto's picker tries on ``item``, in its order) per member."""
        plan = []
        for key, shape in self.item_shape.members.items():
            shape.parent = self.item_shape  # as moto's serializer sets it before picking
            context = AttributePickerContext(obj=item, key=key, shape=shape)
            names = self._serializer._value_picker.get_possible_keys(context)
            plan.append((key, tuple(dict.fromkeys(names))))
        return tuple(plan)

    def item_xml(self, item: Any) -> str:
        """The XML moto's serializer writes for ``item`` in the list ("" if it leaves it out)."""
        self._serializer.path = list(self._item_path)
        wrapper: dict[str, Any] = {}
        self._serializer._serialize(wrapper, item, self.item_shape, self.item_shape.name)
        if not wrapper or wrapper[self._item_key] == {}:
            return ""
        item = {self._item_key: wrapper[self._item_key]}
        return str(xmltodict.unparse(item, full_document=False, short_empty_elements=True))

    def serialize(self, result: Any) -> tuple[int, dict[str, str], str]:
        answer = EC2Serializer(self._operation, value_picker=self._serializer._value_picker)
        serialized = answer.serialize(result)
        return serialized["status_code"], dict(serialized["headers"]), str(serialized["body"])


class ItemwiseResult(ActionResult):
    """An ActionResult that ``write(writer)`` answers when the answer is EC2's plain XML
    (else, or when it returns None, moto's serializer does)."""

    def __init__(self, result: Any, member: str, write: Callable[[ListWriter], Any]) -> None:
        super().__init__(result)
        self._member, self._write = member, write

    def execute_result(self, context: Any) -> Any:
        if context.serializer_class is EC2Serializer and not moto_settings.PRETTIFY_RESPONSES:
            answer = self._write(ListWriter(context, self._member))
            if answer is not None:
                return answer
        return super().execute_result(context)
