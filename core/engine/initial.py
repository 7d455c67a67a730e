"""The snapshot a new engine will publish first, made at once in the window's process.

The window draws it while the engine process is still starting (importing NumPy, mapping
the dataset), so it opens without waiting; the engine's own first snapshot is the same picture.
"""
from __future__ import annotations

import time

import numpy as np

from core.network import Network
from core.snapshot import Snapshot, make_snapshot


def initial_snapshot(dataset, sizes=None, activation="sigmoid", cost="quadratic", seed=0,
                     learning_rate=3.0, batch_size=100, optimizer="sgd") -> Snapshot:
    """Return the snapshot of a fresh session's network, showing the first example it will train on."""
    sizes = tuple(sizes) if sizes else (dataset.n_inputs, 16, 16, dataset.n_classes)
    net = Network(sizes, activation, cost, seed=seed)
    n_train = len(dataset.train_labels)
    batch_size = min(int(batch_size), n_train)
    index = int(np.random.default_rng([int(seed), 0]).permutation(n_train)[0])  # Trainer.epoch_order(0)[0]
    with np.errstate(over="ignore", invalid="ignore"):
        return make_snapshot(
            net, dataset.train_images[index], int(dataset.train_labels[index]), example_split="train",
            example_index=index, class_names=tuple(dataset.class_names), image_shape=tuple(dataset.image_shape),
            steps_per_epoch=-(-n_train // batch_size), learning_rate=float(learning_rate), batch_size=batch_size,
            optimizer=optimizer, seed=int(seed),
            extra={"base_learning_rate": float(learning_rate), "speed": 0.0, "pending": 0, "time": time.monotonic()})
