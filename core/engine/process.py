"""The engine process: owns a TrainingSession, applies commands between steps, never imports Qt.

Started by `EngineHandle` with the `spawn` method. It maps the dataset and the step ring the
parent made, and creates its own snapshot and trajectory segments (their size follows the
architecture), announcing each by name on the pipe. It exits when told to, when the pipe
closes, or when its parent is gone, so it never outlives the window.

Messages parent → engine: (command, args) for `TrainingSession.apply`, plus "restore", "ping"
(answered by "pong" once every earlier command is applied) and "quit".
Messages engine → parent: (kind, args): the session's events other than snapshots and chart
rows, and "snapshots" / "trajectory" (a new segment's name), "attached" (a dataset segment is
mapped), "crashed" (traceback).
"""
from __future__ import annotations

import contextlib
import importlib
import os
import select
import time
import traceback

from core.engine.checker import CheckerClient
from core.engine.ring import StepRing
from core.engine.shared_data import attach_dataset
from core.engine.slots import SharedSlots
from core.engine.snapshot_codec import recipe_to_record, record_bytes

PUBLISH_PERIOD = 1 / 60  # seconds between snapshots at full speed: a new picture every frame
SHOW_EVERY_STEP_UP_TO = 20.0  # steps/s: at these speeds every step gets a snapshot
IDLE_POLL = 0.25  # s: how often an idle engine looks whether its parent is still there
BURST = 0.002  # s: at full speed, commands are read between bursts of steps this long, not after every step


class Outbox:
    """A SharedSlots that grows when a record does not fit, announcing the new segment by name."""

    def __init__(self, send, kind: str, slots: int):
        self._send, self._kind, self._slots = send, kind, slots
        self.segment = None

    def write(self, meta, arrays) -> None:
        if self.segment is None or not self.segment.write(meta, arrays):
            old, self.segment = self.segment, SharedSlots(slot_bytes=2 * record_bytes(arrays), slots=self._slots)
            self.segment.write(meta, arrays)
            self._send((self._kind, (self.segment.name,)))
            if old is not None:  # the parent keeps its mapping until it has moved over
                old.close()
                old.unlink()

    def close(self) -> None:
        if self.segment is not None:
            self.segment.close()
            self.segment.unlink()


def load_factory(path: str):
    """Return the callable named "module:attribute"."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


class Engine:
    """The loop of the engine process (see the module docstring)."""

    def __init__(self, conn, parent_pid, dataset_descriptor, ring_name, factory, settings, checker_conn=None):
        self.conn, self.parent_pid = conn, parent_pid
        self.datasets = []  # (Dataset, segment, descriptor): kept mapped as long as the engine lives
        self.ring = StepRing(ring_name)
        self.snapshots = Outbox(conn.send, "snapshots", slots=2)
        self.trajectories = Outbox(conn.send, "trajectory", slots=1)
        self.last_publish = 0.0
        self.published = False
        self.next_due = 0.0
        self.quit = False
        self._commands = select.poll()  # made once: Connection.poll(0) builds a selector on every call
        self._commands.register(conn.fileno(), select.POLLIN)
        # the window makes the Snapshots from recipes: training only copies what they are made of
        settings = dict(settings, make_snapshots=False, step_sink=self.ring.append)
        if checker_conn is not None:  # each epoch's check runs in the checker process meanwhile
            settings["epoch_checks"] = CheckerClient(checker_conn, self.descriptor_of)
        self.session = load_factory(factory)(self.dataset(dataset_descriptor), report=self.on_event, **settings)

    def dataset(self, descriptor):
        ds, segment = attach_dataset(descriptor)
        self.datasets.append((ds, segment, descriptor))
        self.conn.send(("attached", (descriptor["segment"],)))
        return ds

    def descriptor_of(self, dataset) -> dict | None:
        """Return the shared-memory descriptor of a dataset this engine mapped (None for another)."""
        return next((d for ds, _, d in self.datasets if ds is dataset), None)

    # -- events out ----------------------------------------------------------------------------
    def on_event(self, event):
        kind, args = event
        if kind == "step":  # first: one a step
            self.ring.append(*args)
        elif kind == "snapshot":
            self.snapshots.write(*recipe_to_record(args[0]))
            self.last_publish, self.published = time.perf_counter(), True
        elif kind == "evaluation":
            self.ring.add_evaluation(**args[0])
        elif kind == "feed_cleared":
            self.ring.clear()
        elif kind == "feed_truncated":
            self.ring.truncate_after(*args)
        elif kind == "trajectory":
            steps, rows, samples = args
            self.trajectories.write({}, {"steps": steps, "rows": rows, "samples": samples})
            self.conn.send(("trajectory_ready", (self.trajectories.segment.published,)))
        else:
            self.conn.send((kind, tuple(args)))

    # -- commands in ---------------------------------------------------------------------------
    def handle(self, message) -> None:
        name, args = message
        if name == "quit":
            self.quit = True
        elif name == "set_dataset":
            self.session.apply("set_dataset", self.dataset(args[0]))
        elif name == "restore":
            self.restore(*args)
        elif name == "ping":
            self.conn.send(("pong", tuple(args)))
        else:
            if name == "set_speed" or name == "play":
                self.next_due = 0.0
            self.session.apply(name, *args)

    def restore(self, params, step, epoch, samples_seen):
        """Carry on from a snapshot the parent kept (after the previous engine died)."""
        tr = self.session.trainer
        tr.net.set_params(params)
        tr.step_count, tr.epoch = int(step), int(epoch)
        tr.position = min(max(0, int(samples_seen) - int(epoch) * tr.n_train), tr.n_train - 1)
        tr.history.truncate_after(step)
        if tr.trajectory is not None:
            tr.trajectory.clear()
            tr.trajectory.append(int(step), tr.net.params)
        self.session.publish()

    def parent_alive(self) -> bool:
        return os.getppid() == self.parent_pid

    def receive(self, timeout: float) -> bool:
        """Apply the commands waiting (waiting up to timeout for one); return False to stop."""
        try:
            if not self._commands.poll(int(timeout * 1000 + 0.999)):
                return self.parent_alive()
            while True:
                self.handle(self.conn.recv())
                if self.quit or not self.conn.poll(0):
                    break
        except (EOFError, OSError):  # the parent's end closed: the window is gone
            return False
        return not self.quit

    def due_in(self) -> float:
        """Return seconds until the next step is due (0: now)."""
        speed = self.session.speed
        if not speed or not self.session.running:  # the pace is Play's; Step N goes straight there
            return 0.0
        now = time.perf_counter()
        if self.next_due <= now:
            # after a stall, go on from now: a burst of steps would be shown as one
            self.next_due = max(self.next_due, now)
            return 0.0
        return self.next_due - now

    def run(self) -> None:
        if self.session.trainer.step_count == 0:
            self.session.evaluate()  # the untrained network's accuracy, as the evaluation panel would show it
        while True:
            if not self.session.busy:
                if not self.receive(IDLE_POLL):
                    return
                continue
            wait = self.due_in()
            if not self.receive(wait):
                return
            if wait > 0 or not self.session.busy:
                continue  # a command may have changed the plan: look again
            if self.session.running and not self.session.speed:
                self.train_burst()
            else:
                self.train_one()

    def train_one(self) -> None:
        speed = self.session.speed if self.session.running else 0.0
        if speed:
            self.next_due += 1.0 / speed
        self.published = False
        self.session.train_one()
        slow = 0 < speed <= SHOW_EVERY_STEP_UP_TO
        if not self.published and (slow or time.perf_counter() - self.last_publish >= PUBLISH_PERIOD):
            self.session.publish()

    def train_burst(self) -> None:
        """Train at full speed for BURST seconds: the loop of `train_one` with nothing a paced step needs."""
        session, clock = self.session, time.perf_counter
        end = clock() + BURST
        while True:
            self.published = False
            session.train_one()
            now = clock()
            if not self.published and now - self.last_publish >= PUBLISH_PERIOD:
                session.publish()
            if now >= end or not session.running:
                return

    def close(self) -> None:
        self.session.close()
        self.snapshots.close()
        self.trajectories.close()
        self.ring.close()


def engine_main(conn, parent_pid, dataset_descriptor, ring_name, factory, settings, checker_conn=None) -> None:
    """Run the engine until it is told to quit or its parent goes (the process's target)."""
    from core.threads import limit_blas_threads

    limit_blas_threads(1)
    engine = None
    try:
        engine = Engine(conn, parent_pid, dataset_descriptor, ring_name, factory, settings, checker_conn)
        engine.run()
    except BaseException:  # noqa: BLE001 - tell the window why before going
        with contextlib.suppress(OSError, ValueError):
            conn.send(("crashed", (traceback.format_exc(),)))
        raise
    finally:
        if engine is not None:
            engine.close()
        conn.close()
        if checker_conn is not None:  # the checker sees the pipe close and ends too
            checker_conn.close()
