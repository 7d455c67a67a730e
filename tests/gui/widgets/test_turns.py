"""Heavy GUI jobs take turns: one per frame tick, none starved."""
from gui.widgets.turns import MAX_WAITS, TICK, Turns


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_second_job_in_the_same_tick_waits_for_the_next():
    clock = Clock()
    turns = Turns(clock)
    assert turns.take("snapshot", force=True)
    clock.now += 0.002
    assert not turns.take("charts")  # the tick is taken
    assert 1 <= turns.wait_ms() <= TICK * 1000
    clock.now += TICK
    assert turns.take("charts")  # the next tick is free


def test_a_forced_job_runs_in_a_taken_tick_and_takes_it():
    clock = Clock()
    turns = Turns(clock)
    assert turns.take("charts")
    assert turns.take("snapshot", force=True)
    clock.now += 0.001
    assert not turns.take("connections")


def test_a_job_that_waited_its_limit_runs_whatever_else_ran():
    clock = Clock()
    turns = Turns(clock)
    waited = 0
    for _ in range(10):  # a snapshot every tick, forced
        assert turns.take("snapshot", force=True)
        clock.now += 0.001
        if turns.take("charts"):
            break
        waited += 1
        clock.now += TICK - 0.001
    assert waited == MAX_WAITS
    clock.now += 0.001
    assert not turns.take("charts")  # its count starts again
