"""The check at each epoch's end: accuracy on both splits, and whether the run collapsed.

A training loop submits each epoch's network and applies the checks that come back, in
order. `InlineChecks` checks at once; the engine process hands its checks to a process of
their own (core.engine.checker), which gives the same interface.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.lesson.sensible import check_collapse
from core.trainer import Evaluation, evaluate_network

TRAIN_ACCURACY_SAMPLE = 10_000  # training examples the training accuracy is measured on


def evaluate_splits(net, dataset) -> tuple[Evaluation, Evaluation]:
    """Return `net`'s (training, test) evaluations.

    The training accuracy is measured on a fixed sample: the whole set would cost a third of an epoch.
    """
    return (evaluate_network(net, dataset, "train", limit=TRAIN_ACCURACY_SAMPLE),
            evaluate_network(net, dataset, "test"))


@dataclass(frozen=True)
class EpochCheck:
    """What the check at the end of an epoch found."""

    epoch: float  # epochs done when the check's parameters were taken
    step: int  # the step they were taken at
    evaluations: tuple  # (training, test) Evaluations
    collapse: str | None  # why the run looks collapsed, or None


def check_epoch(net, dataset, epoch: float, step: int, optimizer: str, learning_rate: float,
                steps_per_epoch: int) -> EpochCheck:
    """Return the EpochCheck of `net` (its evaluations, then the collapse verdict they lead to)."""
    evaluations = evaluate_splits(net, dataset)
    reason = check_collapse(net, dataset.inputs("test"), evaluations[1].accuracy, optimizer, learning_rate,
                            steps_per_epoch)
    return EpochCheck(float(epoch), int(step), evaluations, reason)


class InlineChecks:
    """Runs `check_epoch` at once; `ready()` and `wait()` hand back the finished checks in order.

    The interface a training loop uses for its epoch checks; the engine's `CheckerClient` gives
    the same one for checks that run in a process of their own.
    """

    def __init__(self):
        self._done = []
        self.pending = 0  # checks submitted and not yet taken (an attribute: read after every step)

    def submit(self, net, dataset, **check) -> None:
        """Check `net` (a network nobody changes until the check is taken) with check_epoch's keyword arguments."""
        self._done.append(check_epoch(net, dataset, **check))
        self.pending += 1

    def ready(self) -> list[EpochCheck]:
        """Return the checks finished so far (without waiting)."""
        done, self._done = self._done, []
        self.pending -= len(done)
        return done

    def wait(self) -> list[EpochCheck]:
        """Return every check submitted, waiting for those still running."""
        return self.ready()

    def close(self) -> None:
        """Let go of whatever runs the checks."""
