"""Small datasets, networks and snapshots shared by the tests."""
import json

import numpy as np

from core.data import Dataset
from core.network import Network
from core.snapshot import SnapshotRecipe
from core.trainer import Trainer

CLASSES = ("NW", "NE", "SW", "SE")
SIZES = (64, 12, 4)  # the small network of the session tests


def tiny_dataset(n_train=250, n_test=50, seed=0):
    """Return a learnable toy problem: the class is which quarter of the image is brightest."""
    rng = np.random.default_rng(seed)

    def make(n):
        labels = rng.integers(0, 4, n).astype(np.uint8)
        images = rng.integers(0, 60, (n, 8, 8)).astype(np.uint8)
        for i, label in enumerate(labels):
            r, c = divmod(int(label), 2)
            images[i, r * 4:(r + 1) * 4, c * 4:(c + 1) * 4] += 180
        return images, labels

    (tri, trl), (tei, tel) = make(n_train), make(n_test)
    return Dataset(tri, trl, tei, tel, name="quadrants", class_names=("NW", "NE", "SW", "SE"))


def toy_dataset(n_train=120, n_test=80, seed=0):
    """Return 8×8 images whose class is the brightest quarter (learnable in a few steps)."""
    return tiny_dataset(n_train, n_test, seed)


def trained(ds, sizes=(64, 6, 5, 4), steps=5, batch_size=16, cost="quadratic", activation="sigmoid",
            dtype=np.float64, seed=3):
    """Return (net, trainer, params before the last step) after `steps` mini-batches."""
    net = Network(sizes, activation, cost, seed=seed, dtype=dtype)
    tr = Trainer(net, ds, batch_size=batch_size, learning_rate=2.0, seed=seed)
    before = net.params.copy()
    for _ in range(steps):
        before = net.params.copy()
        tr.step()
    return net, tr, before


def snapshot(net, ds, split="train", index=0, trainer=None, before=None, x=None, **extra):
    """Return a Snapshot of net showing example (split, index), or the drawn input x."""
    return recipe(net, ds, split, index, trainer, before, x, **extra).make()


def recipe(net, ds, split="train", index=0, trainer=None, before=None, x=None, **extra) -> SnapshotRecipe:
    """Return the SnapshotRecipe of snapshot(...) with the same arguments."""
    progress = dict(class_names=ds.class_names, image_shape=ds.image_shape, **extra)
    if trainer is not None:
        rec = trainer.last_record
        progress.update(step=trainer.step_count, batch=rec.batch.copy(), batch_grad=trainer.last_gradient.copy(),
                        batch_params=before, batch_size=trainer.batch_size, optimizer=trainer.optimizer_name)
    if x is not None:
        progress.update(example_split="drawn", example_index=-1)
        return SnapshotRecipe(net.sizes, net.activation, net.cost, net.params.copy(), np.asarray(x), None, progress)
    progress.update(example_split=split, example_index=index)
    return SnapshotRecipe(net.sizes, net.activation, net.cost, net.params.copy(), ds.images(split)[index],
                          int(ds.labels(split)[index]), progress)


def run(session, limit=10_000):
    """Train while the session wants steps, as a front end's loop does; return the steps trained."""
    n = 0
    while session.busy and n < limit:
        session.train_one()
        n += 1
    return n


def scene_state_change(**fields):
    """Return a change for a scene file's members that sets these fields of its JSON state."""
    def change(members):
        state = json.loads(str(members["scene/state"]))
        state.update(fields)
        members["scene/state"] = np.array(json.dumps(state))
    return change


def flip_bytes(raw: bytearray, data) -> None:
    """Flip one to eight bytes of raw, where hypothesis's `data` draws them."""
    from hypothesis import strategies as st

    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] ^= data.draw(st.integers(1, 255))
