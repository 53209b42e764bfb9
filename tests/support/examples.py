"""How many examples a slow hypothesis property tries: ``examples(full, quick)``.

``make test`` runs each property with ``quick`` examples (a derandomized run keeps the
same ones from run to run where the property says so). The full count runs with
``pytest --hypothesis-profile=thorough`` (the profile is registered in tests/conftest.py)
or with ``AMITUI_THOROUGH=1`` in the environment. The properties are the same either way:
only the number of examples changes.
"""

from __future__ import annotations

import os

THOROUGH = "thorough"


def thorough() -> bool:
    from hypothesis import settings

    return settings.get_current_profile_name() == THOROUGH or bool(
        os.environ.get("AMITUI_THOROUGH")
    )


def examples(full: int, quick: int) -> int:
    """``full`` under the thorough profile, else ``quick`` (read when the test module is
    imported, after pytest loaded the profile)."""
    return full if thorough() else quick
