"""The epoch checker process: the same checks as in line, in order; the engine checks in line if it goes."""
import contextlib
import multiprocessing
import os
import signal
import time

import numpy as np
import pytest
from toys import tiny_dataset, trained

from core.engine.checker import CheckerClient, checker_main
from core.engine.shared_data import attach_dataset, share_dataset
from core.epoch_check import check_epoch


@pytest.fixture
def checker():
    """A checker process and the engine's end of its pipe (a CheckerClient over a shared dataset)."""
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    process = ctx.Process(target=checker_main, args=(theirs, os.getpid()), daemon=True)
    process.start()
    theirs.close()
    segment, descriptor = share_dataset(tiny_dataset(n_train=200, n_test=40))
    dataset, mapped = attach_dataset(descriptor)
    client = CheckerClient(ours, lambda ds: descriptor if ds is dataset else None)
    yield client, process, dataset
    client.close()
    process.join(5)
    with contextlib.suppress(BufferError):  # the dataset's views may outlive the test's end
        mapped.close()
    segment.close()
    segment.unlink()


def ready_within(client, seconds=20.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if client.checker_ready():
            return True
        time.sleep(0.01)
    return False


def check_args(step):
    return dict(epoch=1.0, step=step, optimizer="sgd", learning_rate=3.0, steps_per_epoch=20)


def test_the_checker_gives_the_checks_made_in_line_in_the_order_they_were_sent(checker):
    client, process, dataset = checker
    assert ready_within(client)
    nets = [trained(dataset, steps=k)[0] for k in (1, 3, 6)]
    os.kill(process.pid, signal.SIGSTOP)  # held: whatever comes back must have been checked over there
    try:
        for k, net in enumerate(nets):
            client.submit(net.copy(), dataset, **check_args(step=k))
        assert client.ready() == [] and client.pending == 3
    finally:
        os.kill(process.pid, signal.SIGCONT)
    got = client.wait()
    assert client.pending == 0
    assert [c.step for c in got] == [0, 1, 2]
    for net, check in zip(nets, got):
        expected = check_epoch(net, dataset, **check_args(step=check.step))
        assert check.evaluations == expected.evaluations and check.collapse == expected.collapse


def test_checks_come_back_without_waiting_once_done(checker):
    client, _, dataset = checker
    assert ready_within(client)
    client.submit(trained(dataset, steps=2)[0], dataset, **check_args(step=2))
    assert client.ready() == [] or client.pending == 0  # not waited for: it may or may not be done yet
    end = time.monotonic() + 20
    got = []
    while not got and time.monotonic() < end:
        got = client.ready()
        time.sleep(0.005)
    assert [c.step for c in got] == [2] and client.pending == 0


def test_before_the_checker_is_ready_and_after_it_dies_the_checks_are_made_in_line(checker):
    client, process, dataset = checker
    net = trained(dataset, steps=2)[0]
    # not yet ready (never asked): the check is made at once, in line
    fresh = CheckerClient(multiprocessing.Pipe()[0], lambda ds: None)
    fresh.submit(net.copy(), dataset, **check_args(step=1))
    assert [c.step for c in fresh.ready()] == [1]
    fresh.close()
    # the checker dies: the checks after it are made in line
    assert ready_within(client)
    os.kill(process.pid, signal.SIGKILL)
    process.join(5)
    client.submit(net.copy(), dataset, **check_args(step=2))
    client.wait()
    client.submit(net.copy(), dataset, **check_args(step=3))
    got = client.ready()
    assert [c.step for c in got] == [3] and not client.checker_ready()
    assert np.isfinite(got[0].evaluations[1].accuracy)
