"""One-off work the first form would make the user wait for, done early, in small steps.

The first time a form opened, the UI stalled for ~400 ms (benchmarks/slow_network.py):
Textual reads a screen's .tcss the first time that screen is pushed and then parses every
stylesheet again and restyles every widget of the app (``App._load_screen_css``); a widget
class's DEFAULT_CSS is parsed when its first instance mounts; and the region fields read
botocore's region data (amitui/aws/region_data.py). A thread does not help: parsing holds
the GIL. So shortly after start, while the user looks at the first rows, the app does each
piece once, one small step per timer tick (a few ms each; the region data, from the cache
file, about 1 ms, or ~40 ms the very first time), adding each stylesheet to the app's
parsed one. A screen's .tcss added this way needs no restyle of what is on screen: every
rule in it starts with its screen's class name (tests/unit/test_styles.py), so it cannot
match another screen's widgets; and Textual itself adds a widget's DEFAULT_CSS without one.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import Callable
from pathlib import Path, PurePath

from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen

#: The modules of the screens the inventory opens (each with its own .tcss), most used first.
SCREEN_MODULES = (
    "amitui.ui.screens.action_form",
    "amitui.ui.screens.confirm",
    "amitui.ui.screens.choice_picker",
    "amitui.ui.screens.bulk_form",
    "amitui.ui.screens.detail",
    "amitui.ui.screens.tasks",
    "amitui.ui.screens.task_views",
    "amitui.ui.screens.pickers",
    "amitui.ui.screens.help",
    "amitui.ui.screens.bulk_runs",
    "amitui.ui.screens.cleanup",
    "amitui.ui.screens.recycle_bin",
    "amitui.ui.screens.orphans",
    "amitui.ui.screens.write_view",
)


def form_widgets() -> tuple[type[DOMNode], ...]:
    """The widget classes forms are made of (their DEFAULT_CSS, inherited ones included),
    the pickers' list and the footer. Imported here, as the warm-up starts: the first
    frame needs none of them."""
    from textual.containers import Horizontal, Vertical, VerticalScroll
    from textual.screen import ModalScreen
    from textual.widgets import Button, Input, Label, OptionList, Select, Static
    from textual.widgets._select import SelectCurrent  # a Select's own part (not exported)

    from amitui.ui.widgets.choice_list import ChoiceList
    from amitui.ui.widgets.choice_select import ChoiceSelect, OneLineCurrent
    from amitui.ui.widgets.fields_scroll import FieldsScroll
    from amitui.ui.widgets.key_footer import KeyFooter
    from amitui.ui.widgets.toggle import Toggle

    return (
        ModalScreen,
        Vertical,
        Horizontal,
        VerticalScroll,
        FieldsScroll,
        Static,
        Label,
        Input,
        Button,
        Select,
        SelectCurrent,
        ChoiceSelect,
        OneLineCurrent,
        OptionList,
        Toggle,
        KeyFooter,
        ChoiceList,
    )


#: Seconds from start to the first step, and between steps (the UI runs in between).
FIRST_STEP = 1.0
BETWEEN_STEPS = 0.05


def screens_in(module_name: str) -> list[type[Screen]]:
    module = importlib.import_module(module_name)
    return [
        cls
        for cls in vars(module).values()
        if isinstance(cls, type)
        and issubclass(cls, Screen)
        and cls.__module__ == module_name
        and cls.CSS_PATH is not None
    ]


def css_files(screen: type[Screen]) -> list[Path]:
    """The screen's CSS_PATH as Textual resolves it (next to the screen's module)."""
    css_path = screen.CSS_PATH
    names: list[str | PurePath] = (
        [css_path] if isinstance(css_path, str | PurePath) else list(css_path or [])
    )
    here = Path(inspect.getfile(screen)).parent
    return [Path(name) if Path(name).is_absolute() else here / name for name in names]


def add_screen_css(app: App, module_name: str) -> None:
    """Parse the .tcss files of the screens in ``module_name`` into the app's stylesheet
    (Textual then sees them as read when such a screen is pushed)."""
    stylesheet = app.stylesheet
    for screen in screens_in(module_name):
        for path in css_files(screen):
            if not stylesheet.has_source(str(path), ""):
                stylesheet.read(path)
    stylesheet.parse()  # parses only what is new: the rest is in its parse cache


def add_widget_css(app: App, widget: type[DOMNode]) -> None:
    """Parse ``widget``'s DEFAULT_CSS (and its bases') as its first mount would."""
    stylesheet = app.stylesheet
    bare = widget.__new__(widget)  # the CSS is the class's: no instance is set up
    for read_from, css, tie_breaker, scope in bare._get_default_css():
        stylesheet.add_source(
            css, read_from=read_from, is_default_css=True, tie_breaker=tie_breaker, scope=scope
        )
    stylesheet.parse()


def read_region_data() -> None:
    from amitui.aws.region_data import region_data

    region_data()


class WarmUp:
    """Runs the steps one per timer tick, then is done (``done``). The default steps are
    made as the first one runs (``default_steps`` imports the widgets they style)."""

    def __init__(self, app: App, steps: list[Callable[[], None]] | None = None) -> None:
        self.app = app
        self.steps = list(steps) if steps is not None else None
        self.done = False
        #: seconds from start to the first step, and between steps (settable before start:
        #: a test that waits for the warm-up sets them to 0)
        self.first_step = FIRST_STEP
        self.between_steps = BETWEEN_STEPS

    def default_steps(self) -> list[Callable[[], None]]:
        steps: list[Callable[[], None]] = [read_region_data]
        steps += [lambda m=m: add_screen_css(self.app, m) for m in SCREEN_MODULES]  # type: ignore[misc]
        steps += [lambda w=w: add_widget_css(self.app, w) for w in form_widgets()]  # type: ignore[misc]
        return steps

    def start(self) -> None:
        self._after(self.first_step)

    def _after(self, delay: float) -> None:
        """The next step in ``delay`` seconds. Not ``app.set_timer``: a one-shot Textual timer
        whose task starts later than its delay (a loaded machine) skips its only tick and
        never fires, and the warm-up would never end. The event loop's own timer always
        runs; it hands the step to the app's queue."""
        asyncio.get_running_loop().call_later(delay, self._due)

    def _due(self) -> None:
        if self.app.is_running:
            self.app.call_next(self._next)

    def _next(self) -> None:
        if self.steps is None:
            self.steps = self.default_steps()
        if not self.steps:
            self.done = True
            return
        step = self.steps.pop(0)
        try:
            step()
        except Exception as exc:  # only a speed-up is lost: the screen reads its own later
            self.app.log.warning(f"warm-up step failed: {exc!r}")
        self._after(self.between_steps)
