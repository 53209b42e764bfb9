"""The embedded sandbox: a real EC2 (+ S3, STS) endpoint over HTTP, on moto 5.2.5.

Use::

    from amitui.sandbox import Sandbox

    with Sandbox(seed=7, pending_seconds=1.0) as sandbox:   # or .start() / .stop()
        ec2 = boto3.client("ec2", endpoint_url=sandbox.url, region_name="us-east-1")

or from a shell: ``amitui sandbox [--host 127.0.0.1] [--port N] [--seed N]
[--pending-seconds S]`` (also ``python -m amitui.sandbox``), which prints its URL
on its first line and serves until SIGINT/SIGTERM.

``Sandbox.pending_seconds`` may be changed while it runs (e.g. to 60 to keep images
pending for a cancel test); it applies to what starts afterwards.
``Sandbox.reset()`` wipes every moto backend and the sandbox's tasks and seeds the
catalogue again (for test isolation). moto keeps its state in process-wide
globals: ONE Sandbox per process (a second ``start`` raises), and do not use
moto's ``mock_aws`` in the same process (it resets the same globals).

Credentials and account: any credentials are accepted (tests use
``testing``/``testing``); the account is moto's default 123456789012.

What the sandbox adds to moto, and its conventions
--------------------------------------------------

Catalogue (deterministic by ``seed``): over 300 images owned by the account in
us-east-1, eu-west-1 and ap-southeast-2, created over the three years up to
2025-12-15 (amzn2, al2023, Ubuntu, Debian, Windows_Server, application images,
and names with ``[`` ``]`` and ``'`` in them), x86_64 and arm64, EBS mappings of
several sizes, gp2/gp3/io1/standard, encrypted or not, tagged (Team, Env,
CostCenter, BuiltBy, OS, Application, Name); a few deprecated (past
DeprecationTime), scheduled for deprecation, disabled, public, shared with
account 210987654321, and one ``failed`` image per region. Per region three
running instances (Name tags web-1, payments-api-1, win-build-agent) and two
snapshots to register from. S3 buckets ``amitui-exports`` (empty) and
``amitui-imports`` (disk files under ``vms/``). moto's public Amazon images stay,
with creation dates taken from their names.

DescribeImages: MaxResults (5..1000) and NextToken page the answer in image-id
order with an opaque token; a token that is malformed or from another query is
``InvalidParameterValue``; MaxResults with ImageIds is
``InvalidParameterCombination``; out-of-range MaxResults is
``InvalidParameterValue``. Owners, ExecutableUsers, Filters and ImageIds keep
moto's semantics. As on AWS, disabled images only appear with
IncludeDisabled=true, and other accounts' deprecated images only with
IncludeDeprecated=true -- except when asked for by ImageIds.

Image lifecycle: CreateImage, CopyImage and RegisterImage answer with an image
that is ``pending`` for ``pending_seconds`` and then ``available``.
**An image whose Name starts with "fail-" ends ``failed``** with a StateReason
(Code ``Server.InternalError``). AMI names are unique per account and region
(``InvalidAMIName.Duplicate``). CopyImage refuses a source that is not
``available`` (``IncorrectState``), honours Encrypted/KmsKeyId, CopyImageTags,
TagSpecifications and ClientToken (same token and request: same ImageId; other
request: ``IdempotentParameterMismatch``) and sets SourceImageId/Region.
RegisterImage keeps Architecture (default i386), VirtualizationType (default
paravirtual), BootMode, RootDeviceName, BlockDeviceMappings and more, and needs
ImageLocation or a root-device mapping with an EBS SnapshotId.
DeregisterImage refuses images of other accounts (``AuthFailure``) and, with
DeleteAssociatedSnapshots, deletes the image's snapshots and returns
DeleteSnapshotResults.

Export and import tasks run for 4 x ``pending_seconds``:
ExportImage is ``active`` with StatusMessage validating -> converting ->
updating and a Progress percentage, then ``completed`` (its file appears at
``s3://<bucket>/<S3Prefix><task id>.<format>``). ImportImage is ``active`` with
StatusMessage pending -> converting -> updating, then ``completed`` with an
ImageId that DescribeImages knows (the image is named after the task).
**An export whose S3Prefix or Description contains "fail", or an import whose
S3 key, Url or Description contains "fail", ends ``deleted`` with a StatusMessage
starting "ClientError: "** half-way through. CancelExportTask/CancelImportTask
turn an ``active`` task ``deleting`` for ``pending_seconds``, then ``deleted``
(StatusMessage "User initiated task cancelation"); cancelling a task that is not
active is ``IncorrectState``. DescribeExportImageTasks/DescribeImportImageTasks
take ids, the ``task-state`` filter and MaxResults (1..500)/NextToken.
Errors: unknown image ``InvalidAMIID.NotFound``; malformed ``ami-`` id
``InvalidAMIID.Malformed``; missing bucket ``InvalidParameter``; export task id
malformed/unknown ``InvalidExportTaskID.Malformed``/``.NotFound``; import task
id malformed/unknown ``InvalidConversionTaskId.Malformed``/``InvalidConversionTaskId``.
Every action that takes DryRun answers ``DryRunOperation`` (HTTP 412) with it.
"""

from .server import Sandbox

__all__ = ["Sandbox"]
