"""The cleanup workbench's pure rules (issue 17): families, retention, what is freed.

No AWS call and no Textual here: the cleanup screen asks usage (aws/usage_batch.py) and
snapshot sizes in its workers and hands the answers to :func:`preview`.
"""

from amitui.cleanup.families import RuleError, builtin_family, compile_family_regex, family_of
from amitui.cleanup.preview import (
    CleanupInput,
    CleanupPlan,
    CleanupPreview,
    Rules,
    Verdict,
    preview,
)
from amitui.cleanup.storage import FamilyStorage, ImageStorage, SnapshotLine, SnapshotSize, Storage

__all__ = [
    "CleanupInput",
    "CleanupPlan",
    "CleanupPreview",
    "FamilyStorage",
    "ImageStorage",
    "RuleError",
    "Rules",
    "SnapshotLine",
    "SnapshotSize",
    "Storage",
    "Verdict",
    "builtin_family",
    "compile_family_regex",
    "family_of",
    "preview",
]
