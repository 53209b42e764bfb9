"""What the cleanup screen draws (amitui/ui/screens/cleanup_view.py): bars that fit 80
columns with the biggest win first, the summary's freed storage and its upper bound."""

from __future__ import annotations

import io

from rich.console import Console

from amitui.aws.images import Image
from amitui.cleanup import CleanupPreview, FamilyStorage, Rules, Storage, Verdict
from amitui.ui.screens.cleanup_view import StorageBars, data_size, gib, summary


def lines(renderable, width: int) -> list[str]:
    console = Console(width=width, file=io.StringIO(), color_system=None, legacy_windows=False)
    console.print(renderable)
    return console.file.getvalue().rstrip("\n").split("\n")


STORAGE = Storage(
    families=(
        FamilyStorage(
            "us-east-1", "ml-inference-gpu-with-a-very-long-name-x86_64", 3300, 6200, 4, 9
        ),
        FamilyStorage("us-east-1", "web-api", 24, 40, 3, 5),
        FamilyStorage("us-east-1", "golden", 8, 0, 1, 0),
    ),
    freed_snapshots=14,
    freed_gib=6240,
    freed_bytes=3 * 2**40,
    bytes_unknown=2,
)


def test_bars_fit_80_columns_biggest_first_and_a_small_win_still_shows():
    drawn = lines(StorageBars(STORAGE), 80)
    assert len(drawn) == 3 and all(len(line) <= 80 for line in drawn)
    assert drawn[0].startswith("ml-inference-gpu-with-a-v") and "…" in drawn[0]
    assert drawn[0].rstrip().endswith("6.1 TiB of 9.3 TiB")
    assert "█" in drawn[1] and drawn[1].rstrip().endswith("40 GiB of 64 GiB")
    assert "█" not in drawn[2] and "░" in drawn[2]
    assert all(len(line) <= 160 for line in lines(StorageBars(STORAGE, multi_region=True), 160))


def test_the_summary_says_what_is_freed_only_when_snapshots_go():
    proposed = (Verdict(Image("ami-1", "us-east-1"), "web-api", "proposed"),)
    preview = CleanupPreview(Rules(), proposed, STORAGE)
    freed = str(summary(preview, 0, True, ""))
    assert freed.startswith("1 proposed · 0 excluded · 0 kept · frees")
    assert "nothing freed" in str(summary(preview, 0, False, ""))
    assert "frees 6.1 TiB (14 snapshots; data ≤ 3.0 TiB, an upper bound" in freed
    assert "2 without a data size" in freed
    # nothing proposed in this preview: nothing said to be freed
    assert "frees" not in str(summary(CleanupPreview(Rules(), (), Storage()), 3, True, ""))
    assert str(summary(None, 37, False, "")).startswith("checking 37 images…")


def test_sizes_read_as_people_read_them():
    assert (gib(38), gib(2048), data_size(3 * 2**30), data_size(512)) == (
        "38 GiB",
        "2.0 TiB",
        "3.0 GiB",
        "512 B",
    )
