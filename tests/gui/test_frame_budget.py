"""The live snapshot rate adapts to how busy the GUI thread has been."""
from gui.frame_budget import FrameBudget


class FakeClock:
    """A GUI-thread CPU clock the test advances by hand."""

    def __init__(self):
        self.cpu = 0.0

    def __call__(self):
        return self.cpu


def run(budget, clock, busy_share, seconds, tick=1 / 60):
    """Tick at 60 Hz for `seconds`; each snapshot shown costs the GUI busy_share of the time since the last."""
    now, shown, last = 0.0, 0, 0.0
    while now < seconds:
        if budget.due(now):
            clock.cpu += busy_share * (now - last)
            last = now
            budget.shown(now)
            shown += 1
        now += tick
    return shown


def test_an_idle_gui_shows_snapshots_at_the_shortest_period():
    clock = FakeClock()
    budget = FrameBudget(shortest=0.1, longest=0.5, share=0.2, clock=clock)
    shown = run(budget, clock, busy_share=0.05, seconds=5)
    assert budget.period == 0.1
    assert 40 <= shown <= 51  # ~10 a second (ticks round each period up to the next 1/60 s)


def test_an_idle_gui_shows_a_snapshot_at_every_tick_of_the_16_ms_frame_timer():
    clock = FakeClock()
    budget = FrameBudget(clock=clock)  # the shortest period: 1/60 s
    shown = run(budget, clock, busy_share=0.05, seconds=2, tick=0.016)
    assert shown == 125  # every tick of 2 s, not every other one


def test_a_busy_gui_stretches_the_period_up_to_the_longest():
    clock = FakeClock()
    budget = FrameBudget(shortest=0.1, longest=0.5, share=0.2, clock=clock)
    run(budget, clock, busy_share=0.6, seconds=10)
    assert budget.period == 0.5


def test_the_period_shrinks_back_when_the_gui_has_time_again_and_reset_forgets():
    clock = FakeClock()
    budget = FrameBudget(shortest=0.1, longest=0.5, share=0.2, clock=clock)
    run(budget, clock, busy_share=0.6, seconds=10)
    assert budget.period == 0.5
    run(budget, clock, busy_share=0.02, seconds=20)
    assert budget.period == 0.1
    run(budget, clock, busy_share=0.6, seconds=10)
    budget.reset()
    assert budget.period == 0.1 and budget.due(1e9)


def test_the_panels_are_given_a_snapshot_at_most_ten_times_a_second_and_at_once_after_a_reset():
    budget = FrameBudget(clock=FakeClock())
    given = sum(budget.panels_due(k * 0.016) for k in range(125))  # 2 s of frame ticks
    assert 18 <= given <= 21
    budget.reset()
    assert budget.panels_due(2.0)


def test_ticks_that_come_late_stretch_the_period_though_the_gui_thread_used_little_cpu():
    clock = FakeClock()
    budget = FrameBudget(clock=clock)
    run(budget, clock, busy_share=0.05, seconds=5, tick=0.050)  # a starved event loop: 50 ms apart, not 16
    assert budget.period > 2 * budget.shortest
    budget.reset()
    run(budget, clock, busy_share=0.05, seconds=5, tick=0.016)
    assert budget.period == budget.shortest
