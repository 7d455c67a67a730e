"""Inputs from outside the data: noise, a blank image, a moved or turned example, a class's average.

A network that reads digits names a digit for anything it is shown, often confidently: it
has no answer "none of these". These inputs are the quickest way to see what it has and
has not learned. Images here are (H, W) float32 in [0, 1], like `Dataset.inputs`.
"""
from __future__ import annotations

import numpy as np

PROBES = ("noise", "blank", "shift", "rotate", "average")
SURE = 0.8  # an output this high reads as a confident answer


def uniform_noise(shape, seed: int = 0) -> np.ndarray:
    """Return an image of independent pixels drawn uniformly from [0, 1]."""
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def blank(shape) -> np.ndarray:
    """Return an all-black image (every pixel 0)."""
    return np.zeros(shape, dtype=np.float32)


def shifted(image, down: int, right: int) -> np.ndarray:
    """Return the image moved `down` rows and `right` columns (negative: up, left); new pixels are 0."""
    image = np.asarray(image, dtype=np.float32)
    h, w = image.shape
    out = np.zeros_like(image)
    if abs(down) >= h or abs(right) >= w:
        return out
    src = image[max(0, -down):h - max(0, down), max(0, -right):w - max(0, right)]
    out[max(0, down):max(0, down) + src.shape[0], max(0, right):max(0, right) + src.shape[1]] = src
    return out


def rotated(image, degrees: float) -> np.ndarray:
    """Return the image turned anticlockwise by `degrees` about its centre (bilinear; outside is 0)."""
    image = np.asarray(image, dtype=np.float32)
    h, w = image.shape
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    t = np.deg2rad(degrees)
    rows, cols = np.mgrid[:h, :w].astype(np.float64)
    # where each output pixel comes from: the inverse rotation (rows grow downwards, hence the signs)
    y, x = rows - cy, cols - cx
    src_y = np.cos(t) * y + np.sin(t) * x + cy
    src_x = -np.sin(t) * y + np.cos(t) * x + cx
    y0, x0 = np.floor(src_y).astype(int), np.floor(src_x).astype(int)
    fy, fx = src_y - y0, src_x - x0
    padded = np.zeros((h + 2, w + 2), dtype=np.float64)
    padded[1:-1, 1:-1] = image

    def at(r, c):
        return padded[np.clip(r + 1, 0, h + 1), np.clip(c + 1, 0, w + 1)]

    out = (at(y0, x0) * (1 - fy) * (1 - fx) + at(y0, x0 + 1) * (1 - fy) * fx
           + at(y0 + 1, x0) * fy * (1 - fx) + at(y0 + 1, x0 + 1) * fy * fx)
    return out.astype(np.float32)


def class_average(images, labels, k: int) -> np.ndarray:
    """Return the mean image of class k (uint8 images are scaled to [0, 1])."""
    images, labels = np.asarray(images), np.asarray(labels)
    chosen = images[labels == k]
    if not len(chosen):
        raise ValueError(f"there is no example of class {k}")
    mean = chosen.astype(np.float64).mean(axis=0)
    return (mean / 255.0 if images.dtype == np.uint8 else mean).astype(np.float32)


def reading(outputs) -> tuple:
    """Return (the predicted class, its output) from the output layer's activations."""
    outputs = np.asarray(outputs, dtype=np.float64)
    k = int(np.argmax(outputs))
    return k, float(outputs[k])


def article(name: str) -> str:
    """Return the name with "a" or "an" before it ("an 8", "a 3", "an Ankle boot")."""
    return f"{'an' if name[:1].lower() in 'aeiou8' or name in ('11', '18') else 'a'} {name}"


def caption(kind: str, name: str, confidence: float, noun: str = "digit", before: str | None = None) -> str:
    """Return one sentence on what the network's answer `name` (output `confidence`) to a probe tells us.

    before: the answer for the unmoved image (shift and rotate only).
    """
    sure = confidence >= SURE
    how = f"with output {confidence:.2f}"
    if kind == "noise":
        return (f"It reads random noise as {article(name)} {how}: it has no answer for “none of these”, so it always picks"
                f" one of its classes{', and here it is even sure' if sure else ''}.")
    if kind == "blank":
        return (f"A black image, with no ink at all, is read as {article(name)} {how}: with every pixel 0 only the biases"
                " speak, and they still choose a class.")
    if kind in ("shift", "rotate"):
        moved = "moved" if kind == "shift" else "turned"
        if before is not None and before != name:
            return (f"{moved.capitalize()} a little, the same {noun} is now read as {article(name)} (it was {before}): the"
                    " network learned pixels at fixed places, not shapes that may move.")
        return (f"{moved.capitalize()} a little it is still read as {article(name)} {how}: small changes like those in the"
                f" training {noun}s do not fool it; try a larger one.")
    if kind == "average":
        return (f"The average of a class is read as {article(name)} {how}: a blurred mean of thousands of examples sits"
                f" where the class is densest{', which the network knows well' if sure else ''}.")
    raise ValueError(f"unknown probe {kind!r}; expected one of {', '.join(PROBES)}")
