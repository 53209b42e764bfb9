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
account 210987654321, and one ``failed`` image per region. Other accounts'
images per region (catalogue_others.py): three of account 210987654321 shared
with the sandbox account (one deprecated), three public ones of account
345678901234 (two deprecated), and one private, unshared one nobody here can
see. Per region three running instances (Name tags web-1, payments-api-1,
win-build-agent) and two snapshots to register from. S3 buckets per region
(VM Import/Export only uses buckets of its own region): ``amitui-exports`` and
``amitui-imports`` in us-east-1, ``amitui-exports-<region>`` and
``amitui-imports-<region>`` elsewhere; each import bucket holds disk files under
``vms/``. moto's public Amazon images stay, with creation dates taken from their
names (its few ids no AWS image could have are dropped).

Requests are checked as EC2 checks them (request_checks.py, from botocore's
model): no Action ``MissingAction``, an unknown one ``InvalidAction``, an
unknown parameter ``UnknownParameter``, a missing required one
``MissingParameter``, a value of the wrong type ``InvalidParameterValue``; an
EC2 action moto lacks is ``UnsupportedOperation``. Every answer is EC2-shaped
XML; a failure inside the sandbox is HTTP 500 ``InternalError``, never HTML.

DescribeImages (describe_images.py, image_filters.py): the caller sees its own,
public, and shared-with-it images. Every filter botocore documents for the
operation works; an unknown filter name is ``InvalidParameterValue``; only ``*``
and ``?`` are wildcards. ExecutableUsers returns images explicitly shared with
the given accounts (``self`` = the caller), public ones only for ``all``.
Disabled images only appear with IncludeDisabled=true, other accounts'
deprecated images only with IncludeDeprecated=true -- except when asked for by
ImageIds. ImageIds must be ``ami-`` + 8 or 17 hex digits
(``InvalidAMIID.Malformed``) and all exist (``InvalidAMIID.NotFound``); a
deregistered image is still answered by id, State ``deregistered``, for
4 x ``pending_seconds``, then with nothing. MaxResults (5..1000) and NextToken
page the answer in image-id order with an opaque token.

Image lifecycle: CreateImage, CopyImage and RegisterImage answer with an image
that is ``pending`` for ``pending_seconds`` and then ``available``. AMI names
are unique per account and region (``InvalidAMIName.Duplicate``). CopyImage
refuses a source that is not ``available`` (``IncorrectState``), honours
Encrypted/KmsKeyId, CopyImageTags, TagSpecifications and ClientToken (same token
and request: same ImageId; any other parameter: ``IdempotentParameterMismatch``)
and sets SourceImageId/Region. RegisterImage keeps Architecture (default i386),
VirtualizationType (default paravirtual), BootMode, RootDeviceName,
BlockDeviceMappings and more. DeregisterImage refuses images of other accounts
(``AuthFailure``) and, with DeleteAssociatedSnapshots, deletes the image's
snapshots and returns DeleteSnapshotResults.

Export and import tasks run for 4 x ``pending_seconds`` with AWS's StatusMessages
in order and an uneven Progress (lifecycle.py): ExportImage validating ->
validated -> converting -> updating, then ``completed`` (its file appears at
``s3://<bucket>/<S3Prefix><task id>.<format>``; DiskImageFormat is echoed
lower-case, as AWS does). ExportImage refuses an image with encrypted snapshots,
another account's image and a bucket of another region (``InvalidParameter``).
ImportImage pending -> validating -> validated -> converting -> updating ->
booting -> booted -> preparing ami, then ``completed`` with an ImageId that
DescribeImages knows; its record fills in as AWS's does (Format as given,
lower-case; DiskImageSize 0 until validated; Architecture, Platform, LicenseType
once the OS is detected). ImportImage refuses a disk file that does not exist
and a bucket of another region ("The given S3 object is not local to the
region"). CancelExportTask/CancelImportTask turn an ``active`` task ``deleting``
for ``pending_seconds``, then ``deleted`` (StatusMessage "User initiated task
cancelation"); cancelling a task that is not active is ``IncorrectState``.
DescribeExportImageTasks/DescribeImportImageTasks take ids, the ``task-state``
filter and MaxResults (1..500)/NextToken. Every action that takes DryRun answers
``DryRunOperation`` (HTTP 412) with it.

Failure conventions (conventions.py; also in ``amitui sandbox --help``): AWS
cannot be told to fail, the sandbox can, but only by one exact marker at the
start of a value, ``sandbox-fail``, so real-looking data never fails by accident:

* CreateImage/CopyImage/RegisterImage with a Name starting ``sandbox-fail``: the
  image is pending, then ``failed`` with a StateReason (``Server.InternalError``).
* ExportImage with an S3Prefix or Description starting ``sandbox-fail``: the task
  ends ``deleted`` half-way, StatusMessage "ClientError: ...".
* ImportImage with a Description starting ``sandbox-fail``, or a disk file whose
  name starts with it (seeded: ``vms/sandbox-fail-corrupt.vmdk``): the task ends
  ``deleted`` while validating, StatusMessage "ClientError: Disk validation failed ...".

"Is this AMI still used?" (issue 15; protection.py, image_references.py,
usage_reports.py, catalogue_usage.py): DescribeImages carries
DeregistrationProtection, LastLaunchedTime (set by RunInstances), ImageAllowed and
SourceImageId/Region/SourceInstanceId (CopyImage, CreateImage);
Enable/DisableImageDeregistrationProtection (WithCooldown: 24 h, settable as
``state.cooldown_seconds``), and DeregisterImage of a protected image is
``OperationNotPermitted``; DescribeImageReferences (instances, launch templates
with versions, SSM parameters, seeded Image Builder recipes; paginated);
GetImageAncestry; Create/DescribeImageUsageReport(s)/...Entries (a report is pending
for 2 x ``pending_seconds``, then available; expires after 30 days). moto's Auto
Scaling answers on the same URL. ``SeedSummary.usage`` names the seeded image of
each role (catalogue_usage.py). ``Sandbox(usage_api=False)`` (or
``sandbox.usage_api = False``) answers those actions as plain moto 5.2.5 does, an
HTML 500, and leaves the new fields out of DescribeImages: an endpoint without
DescribeImageReferences.

Lifecycle and sharing (issue 16; deprecation.py, sharing.py, tag_actions.py,
catalogue_lifecycle.py): Enable/DisableImageDeprecation (DeprecateAt in the future,
at most 10 years ahead -- 2 years after creation for a public image -- rounded to the
minute); DisableImage (owner only; every launch permission goes, the image is hidden
unless IncludeDisabled) and EnableImage (back to available, permissions not
restored); ModifyImageAttribute LaunchPermission (UserId, Group=all,
OrganizationArn, OrganizationalUnitArn) and Description, DescribeImageAttribute
launchPermission/description, ResetImageAttribute launchPermission;
Get/Enable/DisableImageBlockPublicAccess (public sharing while
``block-new-sharing`` is ``OperationNotPermitted``); CancelImageLaunchPermission
(consumer side); ModifySnapshotAttribute/DescribeSnapshotAttribute
createVolumePermission; CreateTags/DeleteTags with AWS's tag rules (128/256
characters, ``aws:`` reserved, 50 tags: ``TagLimitExceeded``).
``SeedSummary.lifecycle`` names the seeded image of each role (an image shared with
the account, a public one, one with KMS-encrypted snapshots, one shared with an
organization); image block public access is ``block-new-sharing`` in eu-west-1 and
``unblocked`` elsewhere.

Cleanup and the Recycle Bin (issue 17; rbin_server.py, rbin_rules.py, recycle_bin.py,
snapshot_progress.py, catalogue_cleanup.py): the Recycle Bin API (``rbin``: CreateRule,
ListRules, GetRule, DeleteRule, rest-json, AWS's errors) answers on the same URL (the
dispatcher reads the request's credential scope); DeregisterImage of an image an
``EC2_IMAGE`` rule of its region retains puts it in the bin (ListImagesInRecycleBin,
RestoreImageFromRecycleBin); DeleteSnapshot of a snapshot a registered or binned image
uses is ``InvalidSnapshot.InUse``; DescribeSnapshots answers VolumeSize and, for most
seeded snapshots, FullSnapshotSizeInBytes, refuses missing and malformed ids as EC2
does, selects by OwnerIds and pages. CreateImage/CopyImage describe their snapshots in
AWS's words. ``SeedSummary.cleanup`` says where the nightly-build families (20-40 builds
each, some in use, protected, shared, launched recently, one in the bin), the orphaned
snapshots and the us-east-1 retention rule (none in eu-west-1) are.

moto is pinned (5.2.5) and every moto internal is reached through
``moto_compat.py``, which refuses another version; tests/sandbox/test_fidelity_*
check the answers against AWS's documented behaviour after any upgrade.
"""

from .server import Sandbox

__all__ = ["Sandbox"]
