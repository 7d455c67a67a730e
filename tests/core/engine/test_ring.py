"""The shared step ring: every row in order, clears and evaluations in sequence, bounded memory."""
import numpy as np
import pytest

from core.engine.ring import StepRing


@pytest.fixture
def ring():
    r = StepRing(capacity=64)
    yield r
    r.close()
    r.shm.unlink()


def test_rows_arrive_in_order_once(ring):
    reader = StepRing(ring.name)
    assert reader.drain() is None
    for step in range(1, 41):
        ring.append(step, step / 10, [step, 2 * step])
    batch = reader.drain()
    np.testing.assert_array_equal(batch.steps, np.arange(1, 41))
    np.testing.assert_allclose(batch.costs, np.arange(1, 41) / 10)
    np.testing.assert_array_equal(batch.grad_norms[:, 1], 2 * np.arange(1, 41))
    assert not batch.cleared and batch.evaluations == []
    assert reader.drain() is None
    for step in range(41, 101):  # wraps around the end of the ring
        ring.append(step, 0.5, [1.0, 1.0])
    np.testing.assert_array_equal(reader.drain().steps, np.arange(41, 101))
    assert reader.lost == 0
    reader.close()


def test_a_clear_drops_what_came_before_it_and_evaluations_keep_their_place(ring):
    reader = StepRing(ring.name)
    ring.append(1, 1.0, [0.1])
    ring.add_evaluation(split="test", epoch=0.5, step=1, accuracy=0.25, cost=0.9)
    ring.clear()
    ring.append(1, 2.0, [0.2, 0.3, 0.4])
    ring.add_evaluation(split="train", epoch=1.0, step=1, accuracy=0.75, cost=0.4)
    batch = reader.drain()
    assert batch.cleared
    np.testing.assert_array_equal(batch.steps, [1])
    assert batch.grad_norms.shape == (1, 3)
    assert batch.evaluations == [{"split": "train", "epoch": 1.0, "step": 1, "accuracy": 0.75, "cost": 0.4}]
    reader.close()


def test_a_reader_that_falls_behind_loses_the_oldest_rows_not_the_newest(ring):
    reader = StepRing(ring.name)
    for step in range(1, 201):
        ring.append(step, 0.0, [])
    batch = reader.drain()
    assert batch.steps[-1] == 200 and len(batch.steps) <= 64
    np.testing.assert_array_equal(np.diff(batch.steps), 1)
    assert reader.lost == 200 - len(batch.steps)
    reader.close()


def test_a_resume_drops_the_rows_after_its_step_and_keeps_the_new_ones(ring):
    reader = StepRing(ring.name)
    for step in range(1, 11):
        ring.append(step, float(step), [1.0])
    ring.add_evaluation(split="test", epoch=0.5, step=5, accuracy=0.5, cost=1.0)
    ring.add_evaluation(split="test", epoch=1.0, step=10, accuracy=0.6, cost=0.9)
    ring.truncate_after(4, 0.4)
    ring.append(5, 50.0, [2.0])
    batch = reader.drain()
    assert batch.truncated == (4, 0.4) and not batch.cleared
    np.testing.assert_array_equal(batch.steps, [1, 2, 3, 4, 5])
    assert batch.costs[-1] == 50.0 and batch.evaluations == []
    reader.close()
