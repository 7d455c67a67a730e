"""The shared background runner: one job at a time, the newest request wins, progress from the newest only."""
import threading

from gui.widgets.jobs import BackgroundRunner


def test_a_result_comes_back_on_the_gui_thread(qtbot):
    runner = BackgroundRunner()
    with qtbot.waitSignal(runner.finished) as blocker:
        runner.submit(lambda: threading.current_thread() is threading.main_thread())
    assert blocker.args == [False]  # computed elsewhere, delivered here
    assert not runner.busy


def test_a_newer_request_replaces_a_queued_one_and_only_the_newest_is_reported(qtbot):
    runner = BackgroundRunner()
    gate, ran, results = threading.Event(), [], []
    runner.finished.connect(results.append)
    runner.submit(lambda: (gate.wait(5), ran.append("first"), "first")[-1])
    runner.submit(lambda: (ran.append("second"), "second")[-1])  # queued behind the first
    runner.submit(lambda: (ran.append("third"), "third")[-1])  # replaces the second
    assert runner.busy
    gate.set()
    qtbot.waitUntil(lambda: results == ["third"], timeout=5000)
    assert ran == ["first", "third"] and not runner.busy


def test_a_running_job_learns_it_was_superseded_and_its_reports_are_dropped(qtbot):
    runner = BackgroundRunner()
    started, seen, progress = threading.Event(), [], []
    runner.progress.connect(progress.append)

    def long_job(job):
        job.report("old")
        started.set()
        while not job.superseded:
            threading.Event().wait(0.005)
        seen.append("stopped early")
        job.report("stale")
        return "stale result"

    with qtbot.waitSignal(runner.progress):
        runner.submit(long_job, with_job=True)
    started.wait(5)
    with qtbot.waitSignal(runner.finished) as blocker:
        runner.submit(lambda job: (job.report("new"), "new result")[-1], with_job=True)
    assert blocker.args == ["new result"] and seen == ["stopped early"]
    assert progress == ["old", "new"]


def test_a_failure_is_reported_as_a_message_and_the_next_request_runs(qtbot):
    runner = BackgroundRunner()
    with qtbot.waitSignal(runner.failed) as blocker:
        runner.submit(lambda: 1 / 0)
    assert blocker.args == ["ZeroDivisionError: division by zero"]
    with qtbot.waitSignal(runner.finished) as blocker:
        runner.submit(lambda: 42)
    assert blocker.args == [42]


def test_cancel_drops_the_queued_request_and_reports_nothing_more(qtbot):
    runner = BackgroundRunner()
    gate, results = threading.Event(), []
    runner.finished.connect(results.append)
    runner.submit(lambda: gate.wait(5) and "first")
    runner.submit(lambda: "second")
    runner.cancel()
    gate.set()
    assert runner.wait(5000)
    qtbot.wait(50)  # let any queued delivery arrive
    assert results == [] and not runner.busy


def test_wait_runs_the_queued_request_too(qtbot):
    runner = BackgroundRunner()
    gate, ran = threading.Event(), []
    runner.submit(lambda: gate.wait(5))
    runner.submit(lambda: ran.append("queued"))
    gate.set()
    assert runner.wait(5000) and ran == ["queued"]
