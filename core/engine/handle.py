"""The parent's handle on the engine process: commands in; snapshots, chart rows and events out.

Nothing here blocks for long or needs a thread: a front end calls `poll_events()`,
`newest()` and `drain()` from its own timer. The engine's death (killed, out of memory, a
bug) becomes a "died" event; `restart()` starts a fresh engine from a kept snapshot.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os

import numpy as np

from core.engine.checker import checker_main
from core.engine.process import engine_main
from core.engine.ring import StepRing
from core.engine.shared_data import share_dataset
from core.engine.slots import SharedSlots, unlink_segment
from core.engine.snapshot_codec import record_to_recipe

SESSION = "core.session:TrainingSession"
CLOSE_TIMEOUT = 1.5  # s: how long a closing engine may take to finish its step before it is killed
KILL_WAIT = 5.0  # s: the longest to wait for a killed engine to be reaped
CHECKER_WAIT = 0.4  # s: the checker ends as soon as the engine's end of its pipe closes; past this it is killed


class EngineHandle:
    """Starts the engine process and talks to it (see the module docstring).

    `settings` are TrainingSession keyword arguments (sizes, activation, cost, seed, …);
    `factory` names the session class as "module:attribute" (tests use small ones).
    """

    def __init__(self, dataset, settings=None, factory: str = SESSION):
        self._context = multiprocessing.get_context("spawn")  # never fork a process with Qt loaded
        self._factory, self._settings = factory, dict(settings or {})
        self.ring = StepRing()
        self._data_segment, self._data_descriptor = share_dataset(dataset)
        self._old_data = []
        self._snapshots = self._trajectory = None
        self._segments = set()  # names the engine made, removed here if it dies before it can
        self._dead_reported = False
        self._events = []
        self.exitcode = None
        self._start()

    def _start(self, restore=None):
        self._conn, child_end = self._context.Pipe()
        engine_end, checker_end = self._context.Pipe()  # the engine's line to its epoch checker
        self.process = self._context.Process(
            target=engine_main, name="nn-explorer-engine", daemon=True,
            args=(child_end, os.getpid(), self._data_descriptor, self.ring.name, self._factory, self._settings,
                  engine_end))
        self.process.start()
        self.checker = self._context.Process(target=checker_main, name="nn-explorer-checker", daemon=True,
                                             args=(checker_end, os.getpid()))
        self.checker.start()
        # only the children hold these now: the engine's exit closes our pipe, and the checker's
        for end in (child_end, engine_end, checker_end):
            end.close()
        self._dead_reported, self.exitcode = False, None
        if restore is not None:
            self.send("restore", *restore)

    # -- commands ------------------------------------------------------------------------------
    def send(self, name: str, *args) -> bool:
        """Send a command; return False if the engine is gone (it is then reported as died)."""
        try:
            self._conn.send((name, args))
        except (OSError, ValueError):
            return False
        return True

    def set_dataset(self, dataset) -> None:
        """Share a new dataset with the engine and switch to it."""
        segment, descriptor = share_dataset(dataset)
        # the old segment's name goes once the engine has mapped its successor ("attached")
        self._old_data.append(self._data_segment)
        self._data_segment, self._data_descriptor = segment, descriptor
        self.send("set_dataset", descriptor)

    def _attached(self, name):
        """The engine has mapped dataset segment `name`: drop the names it no longer needs."""
        names = [s.name for s in self._old_data]
        done = len(self._old_data) if name == self._data_segment.name else names.index(name) + 1 \
            if name in names else 0
        for old in self._old_data[:done]:
            old.close()
            old.unlink()
        del self._old_data[:done]

    # -- what is shared ---------------------------------------------------------------------------
    @property
    def dataset_segment(self) -> str:
        """The name of the segment that holds the dataset the engine trains on now."""
        return self._data_segment.name

    @property
    def old_dataset_segments(self) -> list:
        """Names of earlier datasets' segments, kept until the engine has mapped their successor."""
        return [s.name for s in self._old_data]

    @property
    def engine_segments(self) -> set:
        """Names of the segments the engine made (its snapshots and trajectory)."""
        return set(self._segments)

    @property
    def published(self) -> bool:
        """Whether the engine has announced its snapshots (its first one may still be on the way)."""
        return self._snapshots is not None

    # -- what comes back -------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def poll_events(self) -> list:
        """Return the engine's events since the last call, as (kind, args); "died" once if it ended."""
        self._receive()
        if not self._dead_reported and not self.process.is_alive():
            self._receive()  # what it said before it went
            self._dead_reported = True
            self.exitcode = self.process.exitcode
            self._remove_engine_segments()
            self._events.append(("died", (self.exitcode,)))
        events, self._events = self._events, []
        return events

    def _receive(self):
        """Read what the engine sent: attach announced segments, keep the rest as events."""
        try:
            while self._conn.poll(0):
                kind, args = self._conn.recv()
                if kind == "snapshots":
                    self._attach_snapshots(args[0])
                elif kind == "trajectory":
                    self._attach_trajectory(args[0])
                elif kind == "attached":
                    self._attached(args[0])
                elif kind == "trajectory_ready":
                    self._events.append(("trajectory", self._read_trajectory()))
                else:
                    self._events.append((kind, args))
        except (EOFError, OSError):
            pass

    def _attach_snapshots(self, name):
        self._segments.add(name)
        try:
            segment = SharedSlots(name)
        except FileNotFoundError:  # replaced again already; its successor is announced next
            return
        if self._snapshots is not None:
            self._snapshots.close()
        self._snapshots = segment

    def _attach_trajectory(self, name):
        self._segments.add(name)
        try:
            segment = SharedSlots(name)
        except FileNotFoundError:
            return
        if self._trajectory is not None:
            self._trajectory.close()
        self._trajectory = segment

    def _read_trajectory(self):
        record = self._trajectory.read() if self._trajectory is not None else None
        if record is None:  # pragma: no cover - the segment is announced before it is ready
            return np.zeros(0, np.int64), np.zeros((0, 0)), np.zeros(0, np.int64)
        arrays = record[2]
        return arrays["steps"], arrays["rows"], arrays["samples"]

    def newest(self):
        """Return the newest snapshot if one was published since the last call, else None."""
        recipe = self.newest_recipe()
        return None if recipe is None else recipe.make()

    def newest_recipe(self):
        """Return the newest SnapshotRecipe if one was published since the last call, else None."""
        self._receive()
        if self._snapshots is None:
            return None
        record = self._snapshots.read_new()
        return None if record is None else record_to_recipe(record[1], record[2])

    def drain(self):
        """Return the chart rows and evaluations since the last drain (a FeedBatch), or None."""
        return self.ring.drain()

    # -- lifetime ---------------------------------------------------------------------------------
    def restart(self, snapshot=None) -> None:
        """Start a new engine with the same dataset; carry on from `snapshot` if given."""
        self._stop_process()
        settings = dict(self._settings)
        restore = None
        if snapshot is not None:
            settings.update(sizes=tuple(snapshot.sizes), activation=snapshot.activation, cost=snapshot.cost,
                            seed=snapshot.seed, batch_size=snapshot.batch_size, optimizer=snapshot.optimizer,
                            learning_rate=snapshot.extra.get("base_learning_rate", snapshot.learning_rate))
            restore = (snapshot.params, snapshot.step, snapshot.epoch, snapshot.samples_seen)
        self._settings = settings
        self._start(restore)

    def _stop_process(self, timeout: float = CLOSE_TIMEOUT) -> None:
        if self.process.is_alive():
            self.send("quit")
            self.process.join(timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(0.3)
        if self.process.is_alive():
            self.process.kill()  # cannot be refused; on a loaded machine reaping may take a moment
            self.process.join(KILL_WAIT)
        self._receive()  # segments it announced but we had not read of yet, so they are removed too
        self._conn.close()
        self._stop_checker()
        self.exitcode = self.process.exitcode
        self._remove_engine_segments()

    def _stop_checker(self) -> None:
        """End the checker (it ends by itself once the engine's end of its pipe closes)."""
        self.checker.join(CHECKER_WAIT)
        if self.checker.is_alive():
            self.checker.kill()
            self.checker.join(KILL_WAIT)
        with contextlib.suppress(ValueError):
            self.checker.close()

    def _remove_engine_segments(self):
        for outbox in (self._snapshots, self._trajectory):
            if outbox is not None:
                outbox.close()
        self._snapshots = self._trajectory = None
        for name in self._segments:
            unlink_segment(name)
        self._segments.clear()

    def close(self) -> None:
        """End the engine (within ~2 s, whatever it is doing) and remove every shared segment."""
        if self.ring is None:
            return
        self._stop_process()
        with contextlib.suppress(ValueError):  # still being reaped: the process object goes with the handle
            self.process.close()
        self.ring.close()
        self.ring.shm.unlink()
        self.ring = None
        for segment in (*self._old_data, self._data_segment):
            segment.close()
            segment.unlink()
