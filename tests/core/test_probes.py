"""Inputs from outside the data: what each probe makes, and a sentence about the answer."""
import numpy as np
import pytest

from core.lesson.probes import PROBES, blank, caption, class_average, reading, rotated, shifted, uniform_noise
from core.network import Network


def test_noise_and_blank_are_images_the_network_reads():
    noise, black = uniform_noise((28, 28), seed=1), blank((28, 28))
    assert noise.shape == black.shape == (28, 28) and noise.dtype == np.float32
    assert noise.min() >= 0 and noise.max() < 1 and noise.std() > 0.2
    assert not black.any()
    assert not np.array_equal(noise, uniform_noise((28, 28), seed=2))
    net = Network((784, 16, 10), seed=0)
    fw = net.forward(np.stack([noise.ravel(), black.ravel()]))
    assert np.isfinite(fw.activations[-1]).all() and fw.activations[-1].shape == (2, 10)
    # a blank image: only the biases speak
    np.testing.assert_allclose(fw.zs[0][1], net.biases[0], rtol=1e-6)


def test_shift_moves_every_pixel_and_fills_with_black():
    image = np.arange(36, dtype=np.float32).reshape(6, 6)
    moved = shifted(image, 2, -1)
    np.testing.assert_array_equal(moved[2:, :5], image[:4, 1:])
    assert not moved[:2].any() and not moved[:, 5].any()
    np.testing.assert_array_equal(shifted(image, 0, 0), image)
    assert not shifted(image, 6, 0).any()


def test_rotation_by_quarter_turns_matches_numpy():
    rng = np.random.default_rng(0)
    image = rng.random((9, 9)).astype(np.float32)
    np.testing.assert_allclose(rotated(image, 90), np.rot90(image, 1), atol=1e-5)
    np.testing.assert_allclose(rotated(image, -90), np.rot90(image, -1), atol=1e-5)
    np.testing.assert_allclose(rotated(image, 0), image, atol=1e-6)
    turned = rotated(image, 30)
    assert turned.shape == image.shape and turned.min() >= 0 and turned.max() <= 1


def test_class_average_is_the_mean_of_that_class():
    images = np.array([[[0, 255]], [[255, 255]], [[51, 0]]], dtype=np.uint8)
    labels = np.array([1, 1, 0])
    np.testing.assert_allclose(class_average(images, labels, 1), [[0.5, 1.0]])
    np.testing.assert_allclose(class_average(images, labels, 0), [[0.2, 0.0]])
    with pytest.raises(ValueError, match="no example of class 5"):
        class_average(images, labels, 5)


def test_reading_and_captions():
    assert reading([0.1, 0.7, 0.2]) == (1, pytest.approx(0.7))
    for kind in PROBES:
        text = caption(kind, "3", 0.93, before="3")
        assert text.endswith(".") and "3" in text and text.count(". ") == 0  # one sentence
    assert "now read as a 5 (it was 3)" in caption("shift", "5", 0.6, before="3")
    assert "still read as a 3" in caption("rotate", "3", 0.9, before="3")
    assert "class" in caption("shift", "Bag", 0.9, noun="class", before="Coat")
    with pytest.raises(ValueError):
        caption("upside-down", "3", 0.5)
