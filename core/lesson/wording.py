"""Words that follow the dataset: MNIST holds digits; another dataset holds classes of something else.

Fashion-MNIST opened without a `classes.txt` has classes named 0…9, yet its images are
clothes: calling them digits would be wrong, so every dataset but MNIST gets neutral words.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    """How the panels speak of the data's examples."""

    noun: str  # one of its classes: "digit" or "class"
    items: str  # its examples in the plural: "digits" or "images"
    draw_title: str  # the drawing panel's title


DIGITS = Words("digit", "digits", "Draw a digit")
NEUTRAL = Words("class", "images", "Draw an input")


def is_digits(dataset_name: str) -> bool:
    """Return whether a dataset of this name holds handwritten digits (MNIST)."""
    return str(dataset_name).strip().lower() in ("mnist", "emnist digits", "emnist-digits")


def words_for(dataset) -> Words:
    """Return the words for a dataset (anything with a `name`)."""
    return DIGITS if is_digits(getattr(dataset, "name", "")) else NEUTRAL
