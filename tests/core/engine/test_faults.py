"""Engine faults: killed, crashed or hung, the parent notices and recovers; no process or segment outlives its owner."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from engine_toys import exit_engine, gone, raise_memory_error, sleep_forever
from toys import tiny_dataset

from core.engine.handle import EngineHandle

SHM = Path("/dev/shm")
posix_only = pytest.mark.skipif(not SHM.is_dir(), reason="needs /dev/shm and POSIX signals")


def wait(predicate, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def events_until(handle, kind, timeout=20.0):
    seen = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        seen += handle.poll_events()
        if any(k == kind for k, _ in seen):
            return seen
        time.sleep(0.01)
    raise AssertionError(f"no {kind} event; saw {[k for k, _ in seen]}")


@pytest.fixture
def handle():
    h = EngineHandle(tiny_dataset(n_train=200, n_test=40), {"sizes": (64, 8, 4), "batch_size": 10})
    assert wait(lambda: h.newest() is not None, 20)
    yield h
    h.close()


def segments(handle) -> set:
    names = {handle.ring.name, handle.dataset_segment} | handle.engine_segments
    return {n for n in names if (SHM / n).exists()}


@posix_only
def test_a_killed_engine_is_noticed_within_a_second_and_restarts_from_a_snapshot(handle):
    handle.send("step", 5)
    assert wait(lambda: (s := handle.newest()) is not None and s.step == 5 and setattr(handle, "kept", s) is None, 10)
    kept = handle.kept
    engine_segments = handle.engine_segments
    checker = handle.checker.pid
    os.kill(handle.process.pid, signal.SIGKILL)
    killed = time.monotonic()
    events = events_until(handle, "died", timeout=5)
    assert time.monotonic() - killed < 1.0
    assert wait(lambda: gone(checker), 3.0)  # its checker saw the pipe close and went too
    assert dict(events)["died"] == (-signal.SIGKILL,)
    assert not any((SHM / n).exists() for n in engine_segments)  # its segments went with it
    handle.restart(kept)
    assert wait(lambda: (s := handle.newest()) is not None and s.step == 5 and setattr(handle, "back", s) is None, 20)
    assert (handle.back.params == kept.params).all()
    handle.send("step", 2)
    assert wait(lambda: (s := handle.newest()) is not None and s.step == 7, 10)


def test_an_error_inside_training_pauses_and_reports_its_traceback_and_the_engine_goes_on(handle):
    handle.send("play")
    handle.send("call", raise_memory_error)
    message, details = dict(events_until(handle, "failed"))["failed"]
    assert "MemoryError" in message and "raise_memory_error" in details
    paused = handle.newest()  # published with the report
    assert paused is not None and not paused.running
    handle.send("step", 2)
    assert wait(lambda: (s := handle.newest()) is not None and s.step == paused.step + 2, 10)
    assert handle.alive


def test_an_engine_that_exits_hands_its_traceback_on(handle):
    handle.send("call", exit_engine)
    events = dict(events_until(handle, "died"))
    assert "SystemExit" in events["crashed"][0]


def test_closing_ends_even_a_hung_engine_within_two_seconds_and_removes_every_segment(handle):
    handle.send("call", sleep_forever)
    time.sleep(0.3)
    pid, checker, names = handle.process.pid, handle.checker.pid, segments(handle)
    assert len(names) >= 3  # the ring, the dataset, the snapshots
    start = time.monotonic()
    handle.close()
    assert time.monotonic() - start < 2.0
    assert gone(pid) and gone(checker)
    assert not any((SHM / n).exists() for n in names)


@posix_only
def test_the_engine_exits_by_itself_when_its_parent_is_killed(tmp_path):
    script = textwrap.dedent("""
        import sys, time
        sys.path[:0] = sys.argv[1:]
        from toys import tiny_dataset
        from core.engine.handle import EngineHandle
        if __name__ == "__main__":
            h = EngineHandle(tiny_dataset(n_train=100, n_test=20), {"sizes": (64, 8, 4), "batch_size": 10})
            while h.newest() is None:
                time.sleep(0.01)
            h.send("play")
            print(h.process.pid, h.checker.pid, h.ring.name, flush=True)
            time.sleep(600)
    """)
    (tmp_path / "parent.py").write_text(script)
    root = Path(__file__).resolve().parents[3]
    parent = subprocess.Popen([sys.executable, str(tmp_path / "parent.py"), str(root), str(root / "tests")],
                              stdout=subprocess.PIPE, text=True)
    try:
        pid, checker, ring = parent.stdout.readline().split()
        assert not gone(int(pid)) and not gone(int(checker))
        parent.kill()
        parent.wait(5)
        assert wait(lambda: gone(int(pid)) and gone(int(checker)), 3.0)
        assert wait(lambda: not (SHM / ring).exists(), 5.0)  # the resource tracker removes the parent's
    finally:
        parent.kill()
