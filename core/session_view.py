"""What a training session shows: the example it follows, and the recipe of its snapshot."""
from __future__ import annotations

import time

import numpy as np

from core.snapshot import SnapshotRecipe


def checked_example(split: str, value, dataset, n_inputs: int) -> tuple:
    """Return (split, value) as a session follows it, or raise ValueError for an example that is not there.

    ("train"|"test", index): that example; ("batch", _): the first of the last mini-batch;
    ("drawn", x): an input drawn by the learner.
    """
    if split in ("train", "test"):
        value = int(value)
        n = len(dataset.labels(split))
        if not 0 <= value < n:
            raise ValueError(f"{split} example {value} does not exist (0..{n - 1})")
    elif split == "drawn":
        value = np.array(value, dtype=np.float32).reshape(-1)
        if value.size != n_inputs:
            raise ValueError(f"a drawn input needs {n_inputs} values, got {value.size}")
    elif split != "batch":
        raise ValueError(f"unknown example source {split!r}")
    return split, value


def current_example(example: tuple, dataset, trainer) -> tuple:
    """Return (x, label, split, index) of the example (split, value) as the trainer stands now."""
    split, value = example
    if split == "drawn":
        return value, None, "drawn", -1
    if split == "batch":
        rec = trainer.last_record
        index = int(rec.batch[0]) if rec is not None and len(rec.batch) else int(trainer.next_batch()[0])
        split = "train"
    else:
        index = value
    return dataset.images(split)[index], int(dataset.labels(split)[index]), split, index


def take_recipe(trainer, dataset, example: tuple, accuracy: dict, **facts) -> SnapshotRecipe:
    """Return the recipe of a snapshot of the trainer's network now (copies: training may go on).

    accuracy: {"train": …, "test": …} as last measured; facts: running, speed, pending, accuracy_step.
    """
    tr, net = trainer, trainer.net
    x, label, split, index = current_example(example, dataset, tr)
    rec = tr.last_record
    stepped = rec is not None and not rec.diverged
    progress = dict(
        example_split=split, example_index=index,
        class_names=tuple(dataset.class_names), image_shape=tuple(dataset.image_shape),
        step=tr.step_count, epoch=tr.epoch, epoch_progress=tr.epoch_progress,
        samples_seen=tr.samples_seen, steps_per_epoch=tr.steps_per_epoch,
        last_cost=rec.cost if rec is not None else None,
        batch=rec.batch.copy() if stepped else None,
        batch_grad=tr.last_gradient.copy() if stepped else None,
        batch_params=tr.params_before_last_step.copy() if stepped else None,
        layer_grad_norms=tuple(tr.layer_grad_norms()) if stepped else (),
        learning_rate=tr.current_learning_rate(), batch_size=tr.batch_size,
        optimizer=tr.optimizer_name, test_accuracy=accuracy["test"],
        train_accuracy=accuracy["train"], running=facts["running"], seed=tr.seed,
        extra={"base_learning_rate": tr.learning_rate, "speed": facts["speed"], "pending": facts["pending"],
               "time": time.monotonic(), "accuracy_step": facts["accuracy_step"]})
    return SnapshotRecipe(net.sizes, net.activation, net.cost, net.params.copy(), np.array(x), label, progress)
