"""The weight-pattern mosaic: every tile is exactly one neuron's row of weights."""
import numpy as np
import pytest

from core.lesson.patterns import compose, page_layout, shared_scale, tile_shape, weight_tiles


def test_first_layer_tiles_are_the_weight_rows_as_images():
    w = np.random.default_rng(0).normal(size=(16, 784)).astype(np.float32)
    tiles = weight_tiles(w, (28, 28))
    assert tiles.shape == (16, 28, 28)
    for j in range(16):
        np.testing.assert_array_equal(tiles[j].ravel(), w[j])


def test_deeper_tiles_hold_the_row_then_nan():
    w = np.arange(6 * 10, dtype=np.float32).reshape(6, 10)
    assert tile_shape(10) == (3, 4) and tile_shape(16) == (4, 4)
    tiles = weight_tiles(w)
    for j in range(6):
        flat = tiles[j].ravel()
        np.testing.assert_array_equal(flat[:10], w[j])
        assert np.isnan(flat[10:]).all()


@pytest.mark.parametrize("n, page, page_size", [(16, 0, 64), (128, 0, 64), (128, 1, 64), (70, 1, 64), (5, 0, 3)])
def test_mosaic_places_each_row_where_the_layout_says(n, page, page_size):
    w = np.random.default_rng(n).normal(size=(n, 784)).astype(np.float32)
    tiles = weight_tiles(w, (28, 28))
    layout = page_layout(n, (28, 28), page, page_size, gap=2)
    mosaic = compose(tiles, layout)
    assert mosaic.shape == layout.shape
    assert layout.n_tiles == min(page_size, n - page * page_size)
    seen = []
    for k in range(layout.n_tiles):
        j = layout.first + k
        r, c = layout.origin(k)
        np.testing.assert_array_equal(mosaic[r:r + 28, c:c + 28].ravel(), w[j])
        # every cell of the tile maps back to this neuron
        assert layout.neuron_at(r, c) == j and layout.neuron_at(r + 27.9, c + 27.9) == j
        seen.append(j)
    assert seen == list(range(page * page_size, page * page_size + layout.n_tiles))
    # the cells that are not in a tile are gaps: NaN, and no neuron
    assert np.isnan(mosaic).sum() == mosaic.size - layout.n_tiles * 784
    if layout.columns > 1:
        assert layout.neuron_at(0, 28) == -1  # the gap right of the first tile
    assert layout.neuron_at(-1, 0) == -1


def test_layout_follows_the_room():
    wide = page_layout(16, (28, 28), 0, 64, aspect=8.0)
    tall = page_layout(16, (28, 28), 0, 64, aspect=0.5)
    assert wide.columns > tall.columns


def test_shared_scale_is_positive_and_covers_most_weights():
    w = np.random.default_rng(1).normal(size=(16, 784))
    s = shared_scale(w)
    assert 0 < s <= np.abs(w).max() and (np.abs(w) <= s).mean() > 0.99
    assert shared_scale(np.zeros((3, 3))) == 1.0
    assert shared_scale(np.full((2, 2), np.nan)) == 1.0
