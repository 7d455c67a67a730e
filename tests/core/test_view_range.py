import math

import numpy as np

from core.history.view_range import finite_bounds, nice_step, sticky_range


def test_nice_step_rounds_up_to_1_2_5():
    assert nice_step(0.03) == 0.05
    assert nice_step(7) == 10
    assert nice_step(1) == 1
    assert nice_step(0) == 1.0


def test_range_holds_the_data_with_round_ends():
    a, b = sticky_range(None, 0.123, 0.987)
    assert a <= 0.123 and b >= 0.987
    step = nice_step((0.987 - 0.123) * 1.04 / 8)
    assert math.isclose(a / step, round(a / step)) and math.isclose(b / step, round(b / step))


def test_range_is_kept_while_it_fits_and_moves_when_it_does_not():
    r = sticky_range(None, 0.1, 0.5)
    assert sticky_range(r, 0.11, 0.49) == r  # small changes: the same range (no axis re-layout)
    moved = sticky_range(r, 0.1, 0.9)  # data beyond the range: a new one holds them
    assert moved[1] >= 0.9
    loose = sticky_range(r, 0.3, 0.31)  # data shrank to a sliver: refit
    assert loose != r and loose[0] <= 0.3 and loose[1] >= 0.31


def test_limits_and_single_values():
    a, b = sticky_range(None, 90, 100, limits=(0, 100))
    assert a <= 90 and b == 100
    a, b = sticky_range(None, 2.0, 2.0)
    assert a < 2.0 < b


def test_finite_bounds_skips_nan_and_inf():
    assert finite_bounds(np.array([1.0, np.nan, 3.0]), [np.inf, -2.0]) == (-2.0, 3.0)
    assert finite_bounds([np.nan], []) is None


def test_headroom_leaves_room_above_growing_data():
    a, b = sticky_range(None, 0.0, 10.0, headroom=0.25)
    assert b >= 12.5
    assert sticky_range((a, b), 0.0, 12.0, slack=0.3, headroom=0.25) == (a, b)


def test_a_minimum_span_widens_close_values_within_the_limits_and_sticks():
    a, b = sticky_range(None, 21.13, 21.14, limits=(0, 100), min_span=5)
    assert b - a >= 5 and a <= 21.13 and b >= 21.14
    assert sticky_range((a, b), 21.12, 21.16, limits=(0, 100), min_span=5) == (a, b)  # no refit
    a, b = sticky_range(None, 99.5, 99.9, limits=(0, 100), min_span=5)
    assert b == 100 and b - a >= 5  # shifted down, not cut at the limit
    a, b = sticky_range(None, 0.0, 0.2, limits=(0, 100), min_span=5)
    assert a == 0 and b >= 5
    assert sticky_range(None, 20, 90, limits=(0, 100), min_span=5) == sticky_range(None, 20, 90, limits=(0, 100))
