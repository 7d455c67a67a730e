"""The epoch checker: a process of its own that checks each epoch's network while the engine trains on.

The check at an epoch's end (test set, a 10,000-example training sample, the collapse verdict)
takes ~17 ms, a sixth of an epoch of the classic network at full speed. Measured ways to keep
it off the training loop: on a thread inside the engine, the two interpreters' worth of small
NumPy calls fought over one interpreter lock, and the steps trained during a check took 2.4×
as long (2.4× also the check); in a process of its own, neither slows the other. So the
parent starts this process next to the engine and hands the two ends of one pipe.

Engine → checker: (dataset descriptor, (sizes, activation, cost, dtype), parameters, check_epoch's
keyword arguments), or None to end. Checker → engine: "ready" once, then an EpochCheck or a
message (str) for each job, in order. `CheckerClient` is the engine's end: it has the
interface of `core.epoch_check.InlineChecks` and falls back to checking in line while the
checker is not ready yet, or if it died.
"""
from __future__ import annotations

import contextlib
import os
import select

from core.engine.shared_data import attach_dataset
from core.epoch_check import InlineChecks, check_epoch
from core.threads import yield_cpu

IDLE_POLL = 0.5  # s: how often an idle checker looks whether its parent is still there
# A check is ~17 ms of one core every epoch; on two cores it shares one with the window, whose
# frames then waited for it (p99 gaps of 35 ms). At a lower priority it runs when the window sleeps.
CHECKER_NICENESS = 10


def checker_main(conn, parent_pid: int) -> None:
    """Check the networks the engine sends until it goes (the process's target)."""
    from core.network import Network
    from core.threads import limit_blas_threads

    limit_blas_threads(1)
    yield_cpu(CHECKER_NICENESS)
    attached = None  # (segment name, Dataset, segment): the dataset of the latest job
    try:
        conn.send("ready")
        while True:
            if not conn.poll(IDLE_POLL):
                if os.getppid() != parent_pid:
                    return
                continue
            job = conn.recv()
            if job is None:
                return
            descriptor, (sizes, activation, cost, dtype), params, check = job
            try:
                if attached is None or attached[0] != descriptor["segment"]:
                    dataset, segment = attach_dataset(descriptor)
                    if attached is not None:
                        attached[2].close()
                    attached = (descriptor["segment"], dataset, segment)
                net = Network(sizes, activation, cost, dtype=dtype, params=params)
                result = check_epoch(net, attached[1], **check)
            except Exception as exc:  # told to the engine, which says so; the checker goes on
                result = f"The check at step {check.get('step')} failed: {type(exc).__name__}: {exc}"
            conn.send(result)
    except (EOFError, OSError):  # the engine's end closed: it is gone
        return
    finally:
        conn.close()


class CheckerClient(InlineChecks):
    """The engine's end of the checker pipe; checks in line until the checker is ready, or if it dies."""

    def __init__(self, conn, descriptor_of):
        super().__init__()
        self._conn = conn
        self._descriptor_of = descriptor_of  # Dataset → its shared-memory descriptor
        self._poller = select.poll()  # a poll object made once: Connection.poll builds a selector each call
        self._poller.register(conn.fileno(), select.POLLIN)
        self._ready = False
        self._sent = 0  # jobs the checker has and has not answered
        self._answers = []

    def checker_ready(self) -> bool:
        """Return whether checks go to the checker process (it has started and not died)."""
        if not self._ready and not self._conn.closed:
            self._receive(block=False)
        return self._ready

    def submit(self, net, dataset, **check) -> None:
        descriptor = self._descriptor_of(dataset) if self.checker_ready() else None
        if descriptor is not None:
            try:
                self._conn.send((descriptor, (net.sizes, net.activation, net.cost, net.dtype.str), net.params, check))
                self._sent += 1
                self.pending += 1
                return
            except (OSError, ValueError):
                self._lost()
        super().submit(net, dataset, **check)

    def ready(self) -> list:
        if self._sent and self._poller.poll(0):
            self._receive(block=False)
        return self._take()

    def wait(self) -> list:
        while self._sent:
            if not self._receive(block=True):
                break
        return self._take()

    def _take(self) -> list:
        answers, self._answers = self._answers, []
        self.pending -= len(answers)
        answers.extend(super().ready())
        for answer in answers:
            if isinstance(answer, str):
                raise RuntimeError(answer)
        return answers

    def _receive(self, block: bool) -> bool:
        """Read the checker's answers; return False if it is gone."""
        try:
            while block or self._conn.poll(0):
                message = self._conn.recv()
                if message == "ready":
                    self._ready = True
                else:
                    self._answers.append(message)
                    self._sent -= 1
                    if block and not self._sent:
                        break
        except (EOFError, OSError):
            self._lost()
            return False
        return True

    def _lost(self) -> None:
        """The checker is gone: what it was checking is lost; check in line from now on."""
        self.pending -= self._sent
        self._ready, self._sent = False, 0
        with contextlib.suppress(OSError):
            self._poller.unregister(self._conn.fileno())
        self._conn.close()

    def close(self) -> None:
        if not self._conn.closed:
            with contextlib.suppress(OSError, ValueError):
                self._conn.send(None)
            self._conn.close()
