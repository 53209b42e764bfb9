"""Garbage collection in the app's process: full collections wait until the user is idle.

Python's cyclic collector runs a *full* collection (every tracked object) on its own
schedule. In this app that is 100-250 ms at 100k rows (the rows, botocore's models,
Textual), and it landed wherever the schedule said: in a filter keystroke, a first sort,
the opening of a form (benchmarks/table.py, slow_network.py measured them). The young
generations stay as Python runs them (cheap: they see only new objects); full collections
run here instead, between the user's keys:

- ``install`` raises the oldest generation's threshold so Python never starts a full
  collection itself (``uninstall`` puts the thresholds back);
- the app calls ``user_acted`` on every key and mouse event and ``tick`` from a timer;
  ``tick`` runs a full collection when one is *due* (as many young collections have run
  since the last one as Python's own threshold asks for), the user has been idle for
  ``idle_after`` seconds, no listing is streaming in (``busy``: a collection would walk
  rows that are still arriving), and the last one is at least ``gap`` seconds ago;
- sooner when garbage piles up: an idle user also gets one ``short_gap`` seconds after the
  last if Python's memory blocks grew by ``grown_share`` since the last one ended. A form
  closed leaves tens of thousands of blocks in reference cycles (its widgets, their
  rendered lines), and waiting 10 s for the next one let several forms' pile up. Python's
  allocator keeps a 1 MiB arena while any block in it lives, so every new peak of live
  blocks maps arenas that later allocations scatter over and that are seldom given back
  (the soak's RSS crept with the peaks, benchmarks/soak.py). The share scales with the
  heap, as a collection's cost does: at 100k rows the heap is large and the share is
  rarely reached;
- a user who never pauses still gets one after ``longest`` seconds, so cyclic garbage is
  never kept without bound;
- ``young`` collects the young generations at a moment the app picks: right after a key
  has been handled and painted. Python starts a young collection wherever allocations
  reach its threshold, so one (0.1-1 ms, a generation-1 one 1-4 ms) often fell inside the
  next keystroke, between the key and its paint (benchmarks/table.py's filter keys); run
  after each key instead, the next key starts with them empty. These do not count towards
  a full collection being due: that stays Python's own rule, of allocations.

While a listing streams in (``tick(busy=True)``), young collections come between pages,
not inside one. A page's rows are young while it is parsed
(amitui/aws/describe_images_xml.py, which holds a few images' elements at a time), and a
collection that starts then walks them for nothing (rows hold no cycles). At Python's 700, a
1000-image page of images with ten tags and two volumes sets off ~160 young collections
(13 of them middle ones) as it is parsed. When the parser still built a page's whole tree
(~155,000 tracked objects for such a page, ~70,000 in the benchmarks' catalogue), a
400-image page set off ~40 (4-5 ms of its 33-37 ms parse), and at a threshold of 50,000 a
100k-image listing ran ~90 young and ~8 middle ones, 2.1-2.6 s of the listing thread's
CPU (the pty listing, measured then). So while busy:

- the young threshold is ``LISTING_YOUNG``, more than a page makes: Python starts no
  collection in the middle of a parse;
- ``page_done`` (a listing thread, after each page it hands over) collects the young
  generation once ``BETWEEN_PAGES`` objects are young, and the middle one with
  it when Python's own rule would (its count at its threshold). They walk the rows kept
  since the last one (~2,500 tracked objects a page), a few ms each, and the middle one
  ~10 of those, so no pause grows with the listing. (Left to ``LISTING_YOUNG`` alone, the
  same rows came in a few collections of ~200,000 objects: 75-190 ms of held GIL each.)

The threshold is Python's again at the first tick after the listing ends.

A closed screen is collected as it closes, not at the next idle moment (``mark``). A form
leaves 20,000-50,000 memory blocks in reference cycles when it closes (its widgets, their
rendered lines: measured, the copy, create and export forms); they lived through the
young collections of the keys typed into it, so only a full collection frees them, and a
user starting a task every few seconds piled several forms' worth before an idle moment
came. Each new peak of live blocks maps pymalloc arenas that are seldom given back (the
soak's RSS stepped with them, benchmarks/soak.py). So:

- each key or click (``user_acted`` calls ``mark``) freezes the heap (``gc.freeze``: O(1),
  everything alive then is left out of collections) unless it is frozen already, and
  remembers how many screens were open;
- once a screen opened since (a later key or a tick saw more screens open) has closed
  again, for two ticks in a row (its widgets are removed meanwhile), ``tick`` collects
  what is not frozen: what was made since the key (the closed form, its call's
  leftovers), a walk of one form's objects where a full one walks the whole heap; then
  it thaws the heap (``gc.unfreeze``, O(1)). Also while a listing streams in: its rows
  since the key are a short walk (below), and waiting for it to end, the soak's user
  opened the next form over the closed one's garbage (peaks of 50,000-61,000 blocks
  above the key, against ~31,000 for one form). A key that opens nothing leaves the heap
  frozen until then: a form may open late (the first one waits for what it needs), and
  it must be young to be collected so. A key made with a form open (a full collection
  thawed the last mark) counts from the inventory once that form closes, so the next
  form opened over it is collected as it closes too;
- not while collections are paused (the start, a cache's decoding: ``gc.disable``); only
  a thaw, no collection, if listings handed over more than ``MARK_WALKS_ROWS`` rows
  since the key (``page_done``) or Python's blocks grew by ``mark_share``: a listing's
  rows are no form's garbage, and 100,000 of them would be a long walk. A refresh of a
  few hundred rows is a short one: thawed at any page, the soak's mark over a form open
  during a refresh (most of them: a task every 3 s) left that form to a full collection
  that found no idle moment before the next form opened over its garbage, the runs'
  highest peaks (the twelfth pass in RELIABILITY.md). What the key's screens leave is
  then owed a full collection at the first idle moment once they have closed
  (``short_gap`` after the last, as for a pile-up), rather than left until the garbage
  reaches ``grown_share``: forms closed during a refresh piled up meanwhile, and the
  next form opened over them set a new peak;
- no full collection while a screen opened since the key is open or not yet collected,
  unless one is overdue (``longest``): it would thaw the mark and age the screen (or find
  its widgets still being removed), and once closed its garbage would wait, frozen by the
  next key's mark, for the next full collection. The soak's highest peaks were that: a
  user idle in a form got a full collection, and the next form opened over the last
  one's garbage;
- a full collection thaws first, so nothing frozen is ever left out of one;
- the young collections counted towards the next full one are kept across a mark (a
  freeze and a collection of the oldest generation both reset Python's count).

Nothing stays frozen past the next full collection: a frozen object is left out of every
later collection, and cyclic garbage frozen with a listing's rows was never freed (the
soak grew 76-194 MB/h when the listing froze the heap after each page). Someone else's
freeze (``gc.get_freeze_count()`` above 0 at ``install``) is left alone: no marks then.
Rows hold no cycles: the ones a new listing replaces are freed by their reference
counts. This class is the one place that changes the collector's schedule.

After each full collection it runs, ``trim`` (glibc's ``malloc_trim``, see
amitui/allocator.py; a no-op elsewhere) gives back to the system the free memory malloc
holds: what the collection, the listings and the forms closed since the last one freed.
It takes well under a millisecond, and runs only at the same idle moments.

``on_collected`` are called after each full collection run here (and its trim), with no
argument: whoever wants to see the heap at that moment, when the garbage is gone (the
soak samples RSS there, benchmarks/soak.py). They run on the app's thread, in the tick.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable

from amitui import allocator

#: Python never reaches this many young collections between two full ones.
NEVER = 1 << 30
#: The young generation's threshold while a listing streams in (Python's is 700): more
#: than a 1000-image page makes while it is parsed, of images with ten tags.
LISTING_YOUNG = 200_000
#: Young objects beyond which ``page_done`` collects them (a few pages' rows).
BETWEEN_PAGES = 10_000
#: Rows listed since a key beyond which its mark only thaws: a row is about one object to
#: walk, and a mark's collection over 20,000 new ones took 7 ms (1,000: 0.2 ms).
MARK_WALKS_ROWS = 20_000


class Collector:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        idle_after: float = 1.0,
        gap: float = 10.0,
        longest: float = 120.0,
        short_gap: float = 2.0,
        grown_share: float = 0.05,
        mark_share: float = 0.2,
        trim: Callable[[], bool] = allocator.trim,
        blocks: Callable[[], int] = sys.getallocatedblocks,
    ) -> None:
        self._clock = clock
        self._trim = trim
        self._blocks = blocks
        self.short_gap = short_gap
        self.grown_share = grown_share
        self.mark_share = mark_share
        self._marked: int | None = None  # screens open at the key that froze the heap
        self._marked_blocks = 0  # Python's blocks then
        self._others_froze = False  # the heap was frozen by someone else at install
        self._opened = False  # more screens were open since (a key or a tick saw them)
        self._listed = 0  # rows listings handed over since (``page_done``)
        self._owed: int | None = None  # screens at the key of a mark only thawed (see tick)
        self._settled = 0  # ticks in a row since with no more screens than then
        self._carried = 0  # young collections counted before a mark's collection reset them
        self._blocks_after = blocks()  # Python's blocks when the last full one ended
        self.idle_after = idle_after
        self.gap = gap
        self.longest = longest
        self._saved: tuple[int, int, int] | None = None
        self._due_after = 10  # young collections between full ones (Python's threshold)
        self._young_runs = 0  # young collections run here since the last full one
        self.last_input = clock()
        self.last_full = clock()
        #: how long the last 20 full collections run here took (seconds), the newest last;
        #: how many ran in all
        self.durations: list[float] = []
        self.fulls = 0
        #: the same for the collections of closed screens (``mark``)
        self.mark_durations: list[float] = []
        self.marks = 0
        #: called after each full collection run here and its trim (see the module's doc)
        self.on_collected: list[Callable[[], None]] = []

    def install(self) -> None:
        if self._saved is not None:
            return
        self._saved = gc.get_threshold()
        young, middle, oldest = self._saved
        self._due_after = max(1, oldest)
        gc.set_threshold(young, middle, NEVER)
        self.last_full = self._clock()
        self._blocks_after = self._blocks()
        # someone else froze the heap (a test suite): theirs to thaw, so no marks. Read
        # once: the count walks every frozen object (4 ms for 600,000), too slow per key.
        self._others_froze = gc.get_freeze_count() > 0

    def uninstall(self) -> None:
        if self._saved is None:
            return
        self._thaw()
        if gc.get_threshold()[2] == NEVER:  # nobody changed it since
            gc.set_threshold(*self._saved)
        self._saved = None

    @staticmethod
    def pause_start() -> bool:
        """No collection at all while the app starts: importing Textual and the app, and
        building the first frame, allocate hundreds of thousands of objects and free few,
        and each young collection walked them for nothing (~30 ms of a cached start's
        first frame). ``resume_start`` ends it (the app, once its first frame is painted).
        Returns whether collections were enabled (what ``resume_start`` is told)."""
        was = gc.isenabled()
        gc.disable()
        return was

    @staticmethod
    def resume_start(was_enabled: bool) -> None:
        if was_enabled:
            gc.enable()

    @property
    def installed(self) -> bool:
        return self._saved is not None

    def _young_threshold(self, busy: bool) -> None:
        """``LISTING_YOUNG`` while busy, else Python's own (if nobody else changed it)."""
        assert self._saved is not None
        young, middle, oldest = gc.get_threshold()
        if oldest != NEVER:
            return
        wanted = LISTING_YOUNG if busy else self._saved[0]
        if young != wanted:
            gc.set_threshold(wanted, middle, oldest)

    def user_acted(self, screens: int | None = None) -> None:
        """A key or a click. ``screens``: how many are open, where it may open one (a key,
        a click): the heap is marked (``mark``)."""
        self.last_input = self._clock()
        if screens is not None:
            self.mark(screens)

    def due(self) -> bool:
        """Enough young collections ran since the last full one for Python to want one."""
        return self._carried + gc.get_count()[2] - self._young_runs >= self._due_after

    def young(self) -> None:
        """Collect the young generations (0 and 1) now, between events."""
        if self.installed and gc.isenabled():
            gc.collect(1)
            self._young_runs += 1

    def page_done(self, rows: int) -> bool:
        """A listing thread handed over a page of ``rows``: collect the young generation
        now if ``BETWEEN_PAGES`` objects are young (with the middle one if that is due, as
        Python would), between two pages' parses. Whether one ran."""
        self._listed += rows  # young now: past MARK_WALKS_ROWS, a mark only thaws
        if not self.installed or not gc.isenabled():
            return False
        young, middle, _ = gc.get_count()
        if young < BETWEEN_PAGES:
            return False
        gc.collect(1 if middle >= gc.get_threshold()[1] else 0)
        return True

    @property
    def marked(self) -> bool:
        """The heap is frozen by a key, its closed screens not collected yet."""
        return self._marked is not None

    def mark(self, screens: int) -> None:
        """A key, with ``screens`` open: freeze the heap unless it is frozen (see the
        module's doc). What the key opens, and closes later, is then all that is young."""
        if self._marked is not None:
            self._seen(screens)  # a key typed into what it opened, or the next one
            return
        if not self.installed or self._others_froze:  # (a pause of collections: no matter)
            return
        self._carry()
        gc.freeze()
        self._marked, self._marked_blocks, self._settled = screens, self._blocks(), 0
        self._opened, self._listed = False, 0

    def _seen(self, screens: int) -> None:
        """A key or a tick saw ``screens`` open. More than at the key: one opened since.
        Fewer, with none opened since: a screen open at the key closed (its garbage is
        mostly older than the key, frozen, a full collection's), so the mark counts from
        here: the next screen opened is the mark's to collect when it closes. (Counted
        from the key alone, a mark made with a form open never saw the next form open
        over the inventory, and every form's garbage piled until a full collection.)"""
        assert self._marked is not None
        if screens > self._marked:
            self._opened = True
        elif screens < self._marked and not self._opened:
            self._marked = screens

    def _carry(self) -> None:
        """Keep the young collections counted so far: a freeze, and a collection of the
        oldest generation, reset Python's count."""
        self._carried += gc.get_count()[2] - self._young_runs
        self._young_runs = 0

    def _thaw(self) -> None:
        if self._marked is not None:
            self._marked = None
            gc.unfreeze()

    def _collect_marked(self, screens: int) -> bool:
        """The mark's part of a tick: whether a collection of closed screens ran."""
        if self._marked is None:
            return False
        grown = self._blocks() - self._marked_blocks >= self.mark_share * self._marked_blocks
        if self._listed > MARK_WALKS_ROWS or grown:
            # a listing came in: its rows are not a closed form's garbage, but what the
            # key's screens leave is, for a full collection once they have closed
            owed = self._marked if self._owed is None else min(self._owed, self._marked)
            self._thaw()
            self._owed = owed
            return False
        self._seen(screens)
        if screens > self._marked or not self._opened or not gc.isenabled():
            self._settled = 0
            return False
        self._settled += 1
        if self._settled < 2:
            return False
        started = time.perf_counter()
        self._carry()
        gc.collect()  # all that is not frozen: what was made since the key
        self._thaw()
        self.mark_durations = [*self.mark_durations[-19:], time.perf_counter() - started]
        self.marks += 1
        return True

    def _holding(self, screens: int) -> bool:
        """A screen opened since the key that marked the heap is open, or closed but not
        yet collected: the mark collects it once it has closed, while it is young. A full
        collection now would thaw the mark and age the screen, so that once closed its
        garbage waited, frozen by the next key's mark, for the next full collection (the
        soak's highest peaks: an open form over the last one's garbage). Or a mark was only
        thawed and a screen opened since is still open: its owed full collection waits for
        it to close."""
        pending = self._marked is not None and self._opened
        return pending or (self._owed is not None and screens > self._owed)

    def holding(self) -> str:
        """What this collector holds back now, in words (the soak prints it at each peak
        of live blocks, from its own thread: the state is read once, as it stands)."""
        blocks, marked, owed = self._blocks(), self._marked, self._owed
        since = f"{blocks - self._blocks_after} blocks since the last full collection"
        if owed is not None:
            since += f", one owed once {owed} screen(s) are open"
        if marked is None:
            return f"{since}, not marked"
        opened = ", a screen opened since" if self._opened else ""
        listed = f", {self._listed} rows listed since" if self._listed else ""
        return (
            f"{since}, {blocks - self._marked_blocks} since a key with {marked} screen(s)"
            f" open{opened}{listed}"
        )

    def piled_up(self) -> bool:
        """Python's memory blocks grew by ``grown_share`` since the last full collection."""
        return self._blocks() - self._blocks_after >= self.grown_share * self._blocks_after

    def tick(self, busy: bool = False, screens: int = 1) -> bool:
        """Run a full collection if it is due (or garbage piled up) and the moment is right;
        whether it ran. ``screens``: how many are open (for a mark's collection, which
        runs first where its screens closed; it is not a full one)."""
        if not self.installed:
            return False
        self._young_threshold(busy)
        self._collect_marked(screens)
        now = self._clock()
        since = now - self.last_full
        idle = now - self.last_input >= self.idle_after and not busy
        quiet = idle and not self._holding(screens)  # (then only when overdue)
        due = self.due() and (since >= self.longest or (quiet and since >= self.gap))
        soon = quiet and since >= self.short_gap
        if not due and not (soon and (self._owed is not None or self.piled_up())):
            return False
        started = time.perf_counter()
        self._thaw()
        gc.collect()
        self._young_runs = self._carried = 0
        self._owed = None
        self._trim()
        self.durations = [*self.durations[-19:], time.perf_counter() - started]
        self.fulls += 1
        self.last_full = self._clock()
        self._blocks_after = self._blocks()
        for call in self.on_collected:
            call()
        return True
