"""A snapshot of every moto backend, restored instead of seeding again.

The sandbox's first reset with a seed seeds in full (about 2 s) and keeps a snapshot;
later resets with that seed restore a fresh copy of it (``Sandbox.reset``). What of moto
this needs (its BackendDicts, its random generator, its model registry, how an SSM
parameter table pickles) comes from moto_compat.py, the one module that imports moto.
"""

from __future__ import annotations

import io
import pickle
import types
from dataclasses import dataclass
from typing import Any

from .moto_compat import BackendDict, backend_dicts, mock_random, reset_model_data


@dataclass(frozen=True)
class MotoSnapshot:
    """moto's backends, its model registry's owners and its random generator, pickled
    together with ``extra`` (what the caller keeps beside them, referring to the same
    models), at one moment. ``restore_moto`` makes a fresh copy of it each time."""

    data: bytes
    kept: tuple[Any, ...]  # objects shared with the copies, not copied (see _Pickler)


class _Pickler(pickle.Pickler):
    """Pickles the backends' object graph, except: the process-wide BackendDicts and the
    objects in ``keep`` stay themselves (a model that refers to ``ec2_backends`` must see
    the live one after a restore), and so do functions pickle cannot name (an SSM
    defaultdict's factory lambda): they are code, not state."""

    def __init__(self, file: io.BytesIO, keep: tuple[Any, ...]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.kept: list[Any] = []
        self._kept_ids: dict[int, int] = {}
        for item in (*backend_dicts(), *keep):
            self._share(item)

    def _share(self, item: Any) -> int:
        if id(item) not in self._kept_ids:
            self._kept_ids[id(item)] = len(self.kept)
            self.kept.append(item)
        return self._kept_ids[id(item)]

    def persistent_id(self, obj: Any) -> int | None:
        index = self._kept_ids.get(id(obj))
        if index is not None:
            return index
        if isinstance(obj, BackendDict):
            return self._share(obj)
        if isinstance(obj, types.FunctionType) and "<locals>" in obj.__qualname__:
            return self._share(obj)
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, kept: tuple[Any, ...]) -> None:
        super().__init__(file)
        self.kept = kept

    def persistent_load(self, pid: Any) -> Any:
        return self.kept[pid]


def _side_tables(backend: Any) -> dict[str, dict[Any, Any]]:
    """The tables a BackendDict keeps beside its accounts, which the backends' models
    update (S3's bucket name -> owning account, Organizations' member -> master account):
    restored with the accounts, or a bucket made after the snapshot would still be named
    there and moto would look for it in its account without end (RecursionError)."""
    return {name: dict(value) for name, value in vars(backend).items() if isinstance(value, dict)}


def snapshot_moto(extra: Any, keep: tuple[Any, ...] = ()) -> MotoSnapshot:
    """Every moto backend now (and ``extra``, whose models are the backends' own), with
    moto's random generator's state. ``keep``: objects ``extra`` refers to that must stay
    themselves (a lock, the live sandbox state). The caller holds its state lock."""
    backends = [(backend, dict(backend), _side_tables(backend)) for backend in backend_dicts()]
    file = io.BytesIO()
    pickler = _Pickler(file, keep)
    pickler.dump((backends, mock_random.getstate(), extra))
    return MotoSnapshot(file.getvalue(), tuple(pickler.kept))


def restore_moto(snapshot: MotoSnapshot) -> Any:
    """Put moto's backends and random generator back as ``snapshot`` took them, as fresh
    copies (later changes do not touch the snapshot); returns the copy of its ``extra``.
    Backends made since the snapshot are dropped, as ``reset_moto`` drops them."""
    backends, random_state, extra = _Unpickler(io.BytesIO(snapshot.data), snapshot.kept).load()
    for backend in backend_dicts():
        backend.clear()
    backend_dicts()[:] = [backend for backend, _, _ in backends]
    for backend, accounts, tables in backends:
        backend.update(accounts)
        for name, table in tables.items():
            getattr(backend, name).clear()
            getattr(backend, name).update(table)
    reset_model_data()
    mock_random.setstate(random_state)
    return extra
