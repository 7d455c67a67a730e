"""Turn a digit drawn with the mouse into a 28×28 input prepared the way MNIST digits were.

MNIST's recipe (LeCun et al.): scale the digit's bounding box to fit a 20×20 box, keeping
its aspect ratio, with anti-aliasing (so edges become grey levels); then place it in a
28×28 field so that its centre of mass lands on the field's centre. A network trained on
MNIST only reads drawings well if they are prepared the same way.
"""
from __future__ import annotations

import numpy as np

FIELD = 28  # side of the final image
BOX = 20  # side of the box the digit is scaled to fit
CENTRE = 14.0  # where MNIST digits' centre of mass sits (row, column), in pixel indices
INK_THRESHOLD = 0.05  # canvas values at or below this count as paper when finding the bounding box


def stroke_image(strokes, shape=(280, 280), width=22.0) -> np.ndarray:
    """Return an anti-aliased image (H, W) in [0, 1] of strokes, each a sequence of (x, y) points."""
    height, width_px = shape
    image = np.zeros(shape, dtype=np.float32)
    radius = width / 2.0
    for stroke in strokes:
        points = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
        if len(points) == 1:
            points = np.vstack([points, points])
        for (x0, y0), (x1, y1) in zip(points[:-1], points[1:]):
            # only the pixels near this segment can change
            left = max(int(np.floor(min(x0, x1) - radius - 1)), 0)
            right = min(int(np.ceil(max(x0, x1) + radius + 1)), width_px - 1)
            top = max(int(np.floor(min(y0, y1) - radius - 1)), 0)
            bottom = min(int(np.ceil(max(y0, y1) + radius + 1)), height - 1)
            if left > right or top > bottom:
                continue
            ys, xs = np.mgrid[top:bottom + 1, left:right + 1] + 0.5  # pixel centres
            dx, dy = x1 - x0, y1 - y0
            length2 = dx * dx + dy * dy
            t = np.zeros_like(xs) if length2 == 0 else np.clip(((xs - x0) * dx + (ys - y0) * dy) / length2, 0, 1)
            distance = np.hypot(xs - (x0 + t * dx), ys - (y0 + t * dy))
            # coverage falls from 1 to 0 over the one pixel that straddles the pen's edge
            coverage = np.clip(radius + 0.5 - distance, 0.0, 1.0)
            patch = image[top:bottom + 1, left:right + 1]
            np.maximum(patch, coverage, out=patch)
    return image


def resample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """Return the (n_out, n_in) area-averaging matrix that resizes a line of n_in pixels to n_out.

    Each output pixel averages the input pixels it covers, weighted by overlap: exact
    anti-aliasing when shrinking, and plain sample-and-hold when enlarging.
    """
    scale = n_in / n_out  # input pixels per output pixel
    starts = np.arange(n_out)[:, None] * scale
    ends = starts + scale
    k = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(ends, k + 1) - np.maximum(starts, k), 0.0, None)
    return overlap / scale


def bounding_box(image, threshold=INK_THRESHOLD):
    """Return (top, bottom, left, right) (inclusive) of the pixels above threshold, or None."""
    ink = np.asarray(image) > threshold
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])


def centre_of_mass(image) -> tuple:
    """Return the (row, column) centre of mass of an image's values (the centre if blank)."""
    image = np.asarray(image, dtype=np.float64)
    total = image.sum()
    if total <= 0:
        return (image.shape[0] - 1) / 2.0, (image.shape[1] - 1) / 2.0
    rows = image.sum(axis=1) @ np.arange(image.shape[0]) / total
    cols = image.sum(axis=0) @ np.arange(image.shape[1]) / total
    return float(rows), float(cols)


def to_mnist(canvas, field=FIELD, box=BOX, centre=CENTRE) -> np.ndarray:
    """Return a drawing (H, W) with ink in [0, 1] as a (field², ) float32 input prepared like MNIST.

    A blank canvas gives all zeros.
    """
    canvas = np.clip(np.asarray(canvas, dtype=np.float64), 0.0, 1.0)
    out = np.zeros((field, field), dtype=np.float32)
    bounds = bounding_box(canvas)
    if bounds is None:
        return out.reshape(-1)
    top, bottom, left, right = bounds
    crop = canvas[top:bottom + 1, left:right + 1]
    h, w = crop.shape
    scale = box / max(h, w)  # the longer side becomes `box` pixels
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    small = resample_matrix(h, new_h) @ crop @ resample_matrix(w, new_w).T
    com_row, com_col = centre_of_mass(small)
    # whole-pixel shift, as MNIST did (a fractional shift would blur); clamped so no ink is cut off
    row0 = int(np.clip(round(centre - com_row), 0, field - new_h))
    col0 = int(np.clip(round(centre - com_col), 0, field - new_w))
    out[row0:row0 + new_h, col0:col0 + new_w] = np.clip(small, 0.0, 1.0)
    return out.reshape(-1)
