"""What the cleanup screen draws from a preview: the storage bars per family, the summary
line, and the rows of its three tables. Rich renderables and Text only (names may hold
``[``: never markup)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from amitui.cleanup import CleanupPreview, FamilyStorage, Storage, Verdict

PROPOSED_BAR, KEPT_BAR = "█", "░"
PROPOSED_STYLE, KEPT_STYLE = "bold red", "green"


def gib(value: int) -> str:
    """GiB as people read them: ``38 GiB``, ``1.9 TiB``."""
    if value >= 1024:
        return f"{value / 1024:.1f} TiB"
    return f"{value} GiB"


def data_size(value: int) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value} B"


def family_label(row: FamilyStorage | Verdict, multi_region: bool) -> str:
    region = row.region if isinstance(row, FamilyStorage) else row.image.region
    return f"{row.family} · {region}" if multi_region else row.family


@dataclass
class StorageBars:
    """One line per family: name, a bar of kept (░) then proposed (█) GiB on one scale,
    and the figures; the biggest win first. Fits any width from about 60 cells."""

    storage: Storage
    multi_region: bool = False
    limit: int = 50

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        families = [f for f in self.storage.families if f.kept_gib or f.proposed_gib]
        if not families:
            yield Text("No snapshot sizes yet.", style="dim")
            return
        width = options.max_width
        figures = [f"{gib(f.proposed_gib)} of {gib(f.kept_gib + f.proposed_gib)}" for f in families]
        figure_width = max(len(s) for s in figures)
        name_width = min(max(len(family_label(f, self.multi_region)) for f in families), width // 3)
        bar_width = max(8, width - name_width - figure_width - 4)
        biggest = max(f.kept_gib + f.proposed_gib for f in families)
        for family, figure in zip(families[: self.limit], figures, strict=False):
            name = family_label(family, self.multi_region)
            if len(name) > name_width:
                name = name[: name_width - 1] + "…"
            total = family.kept_gib + family.proposed_gib
            cells = max(1, round(bar_width * total / biggest)) if total else 0
            proposed = round(cells * family.proposed_gib / total) if total else 0
            if family.proposed_gib and not proposed:
                proposed = 1  # a win, however small, shows
            line = Text(name.ljust(name_width) + "  ")
            line.append(KEPT_BAR * (cells - proposed), KEPT_STYLE)
            line.append(PROPOSED_BAR * proposed, PROPOSED_STYLE)
            line.append(" " * (bar_width - cells + 1))
            line.append(figure.rjust(figure_width), "bold" if family.proposed_gib else "dim")
            yield line
        if len(families) > self.limit:
            yield Text(f"… {len(families) - self.limit} more families", style="dim")


def legend() -> Text:
    return Text.assemble(
        (PROPOSED_BAR, PROPOSED_STYLE),
        " proposed  ",
        (KEPT_BAR, KEPT_STYLE),
        " kept  (snapshot VolumeSize, GiB: freed of total)",
        style="dim",
    )


def summary(
    preview: CleanupPreview | None, asking: int, delete_snapshots: bool, sizes_note: str
) -> Text:
    """The line above the tables: what is being asked, proposed, excluded, and freed."""
    text = Text()
    if asking:
        text.append(f"checking {asking} image{'s' if asking != 1 else ''}… ", "bold yellow")
    if preview is None:
        return text
    storage = preview.storage
    counts = (
        ("proposed", len(preview.proposed), "bold"),
        ("excluded", len(preview.excluded), ""),
        ("kept", len(preview.kept), ""),
        ("waiting", len(preview.waiting), "yellow"),
    )
    text.append(" · ".join(f"{n} {label}" for label, n, _ in counts if n or label != "waiting"))
    if not preview.proposed:
        pass
    elif delete_snapshots:
        text.append(f" · frees {gib(storage.freed_gib)}", "bold green")
        text.append(f" ({storage.freed_snapshots} snapshots")
        if storage.freed_bytes:
            text.append(f"; data ≤ {data_size(storage.freed_bytes)}, an upper bound")
        if storage.bytes_unknown:
            text.append(f"; {storage.bytes_unknown} without a data size")
        if storage.sizes_unknown:
            text.append(f"; {storage.sizes_unknown} of unknown size", "yellow")
        text.append(")")
    else:
        text.append(" · snapshots kept: nothing freed", "dim")
    if sizes_note:
        text.append(f" · {sizes_note}", "dim")
    if preview.unmatched:
        text.append(f" · {preview.unmatched} names unmatched by the regex", "dim")
    return text


def proposed_cells(verdict: Verdict, preview: CleanupPreview, multi_region: bool) -> list[Text]:
    """family, id, name, created, last launched, snapshots, size (freed GiB)."""
    image = verdict.image
    part = preview.storage.images.get(verdict.key)
    snapshots = Text()
    for n, line in enumerate(part.snapshots if part else ()):
        if n:
            snapshots.append(", ")
        snapshots.append(line.snapshot_id, "" if line.freed else "dim")
        if not line.freed:
            snapshots.append(" (kept)", "dim")
    size = "—" if part is None else gib(part.gib) + (" +?" if part.unknown else "")
    snapshots.no_wrap, snapshots.overflow = True, "ellipsis"
    return [
        cut(family_label(verdict, multi_region)),
        Text(image.image_id),
        cut(image.name),
        Text(image.creation_date[:10]),
        Text(image.last_launched[:10] or "never"),
        snapshots,
        Text(size, justify="right"),
    ]


#: (title, width): a long family or name is cut with "…" so that 80 columns show the id
PROPOSED_COLUMNS = (
    ("Family", 24),
    ("Image", 21),
    ("Name", 34),
    ("Created", 10),
    ("Launched", 10),
    ("Snapshots", 26),
    ("Size", 8),
)
OTHER_COLUMNS = (("Family", 24), ("Image", 21), ("Name", 34), ("Created", 10), ("Why", 60))


def cut(text: str, style: str = "") -> Text:
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


def by_family(preview: CleanupPreview, verdicts: tuple[Verdict, ...]) -> list[Verdict]:
    """The biggest win's family first (as the bars), oldest image first within it."""
    order = {(f.region, f.family): n for n, f in enumerate(preview.storage.families)}
    return sorted(
        verdicts,
        key=lambda v: (order.get((v.image.region, v.family), 0), v.image.creation_date),
    )


def other_cells(verdict: Verdict, multi_region: bool) -> list[Text]:
    image = verdict.image
    why = Text("; ".join(verdict.reasons))
    if verdict.decision == "waiting":
        why.stylize("yellow")
    return [
        cut(family_label(verdict, multi_region)),
        Text(image.image_id),
        cut(image.name),
        Text(image.creation_date[:10]),
        why,
    ]


def row_detail(verdict: Verdict | None, preview: CleanupPreview | None) -> Text:
    """The line under the tables for the highlighted image: each snapshot of a proposed
    one with its size and what becomes of it; why any other stays."""
    if verdict is None or preview is None:
        return Text("")
    text = Text(f"{verdict.image.image_id}: ", style="bold")
    if verdict.decision != "proposed":
        return text.append("; ".join(verdict.reasons), style="")
    part = preview.storage.images.get(verdict.key)
    if part is None or not part.snapshots:
        return text.append("no EBS snapshot", style="dim")
    for n, line in enumerate(part.snapshots):
        if n:
            text.append(" · ")
        size = "size unknown" if line.gib is None else gib(line.gib)
        if line.full_bytes is not None:
            size += f", data ≤ {data_size(line.full_bytes)}"
        text.append(f"{line.snapshot_id} ({size})", "" if line.freed else "dim")
        if line.note:
            text.append(f" {line.note}", "dim")
    return text


def table_rows(
    verdicts: list[Verdict], proposed_in: CleanupPreview | None, multi_region: bool
) -> list[tuple[str, list[Text]]]:
    """(row key, cells) of a table's verdicts: the proposed table's columns when
    ``proposed_in`` (the preview they are proposed in) is given, else the others'."""
    return [
        (
            f"{verdict.image.region}/{verdict.image.image_id}",
            proposed_cells(verdict, proposed_in, multi_region)
            if proposed_in is not None
            else other_cells(verdict, multi_region),
        )
        for verdict in verdicts
    ]
