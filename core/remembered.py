"""Check the settings start-up uses: those remembered from an earlier run, and those a session starts from.

A settings file can hold anything (an older version's values, a hand edit, a corrupt
write), and one bad value must not stop the window from opening: each setting is checked
on its own against core/limits.py, and one that fails is dropped with a one-line notice,
so its default is used and the others still apply.
"""
from __future__ import annotations

from core import validation
from core.activations import HIDDEN_ACTIVATIONS
from core.limits import BATCH_SIZE_RANGE, LEARNING_RATE_RANGE
from core.network import COSTS
from core.optimizers import OPTIMIZERS
from core.validation import InputError, fit_batch_size

# remembered key → what it is called in a notice
KEYS = {"hidden": "hidden layers", "activation": "activation", "cost": "cost", "seed": "seed",
        "learning_rate": "learning rate", "batch_size": "batch size", "optimizer": "optimizer"}


def _hidden(value, n_inputs, n_classes) -> tuple:
    if isinstance(value, str):
        parts = [p for p in value.replace(" ", "").split(",") if p]
    elif isinstance(value, (list, tuple)):  # QSettings reads "16,16" back as a list in some formats
        parts = [p for p in value if not (isinstance(p, str) and not p.strip())]
    else:
        raise validation.SettingsError(f"expected sizes like 16,16, found {type(value).__name__}")
    sizes = validation.network_sizes((n_inputs, *parts, n_classes), "hidden layers", validation.SettingsError)
    return sizes


def check_remembered(raw: dict, n_inputs: int, n_classes: int, source: str = "settings") -> tuple:
    """Return (keyword arguments for a TrainingSession, notices) from raw remembered values.

    raw maps the keys of KEYS to whatever the settings file held (missing keys are simply absent).
    """
    checks = {
        "activation": lambda v: validation.choice(v, "activation", HIDDEN_ACTIVATIONS, validation.SettingsError),
        "cost": lambda v: validation.choice(v, "cost", COSTS, validation.SettingsError),
        "optimizer": lambda v: validation.choice(v, "optimizer", OPTIMIZERS, validation.SettingsError),
        "seed": lambda v: validation.seed(v, "seed", validation.SettingsError),
        "learning_rate": lambda v: validation.real(v, "learning rate", *LEARNING_RATE_RANGE,
                                                   error=validation.SettingsError),
        "batch_size": lambda v: validation.whole(v, "batch size", *BATCH_SIZE_RANGE, error=validation.SettingsError),
    }
    out, notices = {}, []
    for key, name in KEYS.items():
        if raw.get(key) is None:
            continue
        try:
            if key == "hidden":
                out["sizes"] = _hidden(raw[key], n_inputs, n_classes)
            else:
                out[key] = checks[key](raw[key])
        except validation.InputError as exc:
            notices.append(f"{source}: the remembered setting for {name} was dropped ({exc.detail}); the default is used.")
    return out, notices


def settle_settings(dataset, sizes=None, activation="sigmoid", cost="quadratic", seed=0, learning_rate=3.0,
                    batch_size=100, optimizer="sgd") -> tuple:
    """Return (settings a session can surely start from, notices): one line for each that had to change.

    A batch larger than the training set is clamped to it; settings no network can be made
    from give way to the classic network's. Checked on the numbers alone, before anything is made.
    """
    classic = (dataset.n_inputs, 16, 16, dataset.n_classes)
    settings = dict(sizes=tuple(sizes) if sizes else classic, activation=activation, cost=cost, seed=seed,
                    learning_rate=learning_rate, batch_size=batch_size, optimizer=optimizer)
    try:
        settings["sizes"] = validation.network_sizes(settings["sizes"], "layer sizes")
        if settings["sizes"][0] != dataset.n_inputs or settings["sizes"][-1] != dataset.n_classes:
            raise InputError(f"{'-'.join(map(str, settings['sizes']))} does not fit the dataset's"
                             f" {dataset.n_inputs} inputs and {dataset.n_classes} classes", field="layer sizes")
        settings["activation"] = validation.choice(activation, "activation", HIDDEN_ACTIVATIONS)
        settings["cost"] = validation.choice(cost, "cost", COSTS)
        settings["optimizer"] = validation.choice(optimizer, "optimizer", OPTIMIZERS)
        settings["seed"] = validation.seed(seed)
        settings["learning_rate"] = validation.real(learning_rate, "learning rate", *LEARNING_RATE_RANGE)
        settings["batch_size"] = validation.whole(batch_size, "batch size", *BATCH_SIZE_RANGE)
    except InputError as exc:  # start-up always reaches a usable network
        notices = [f"The network asked for could not be made ({exc}); the classic one is used."]
        settings = dict(sizes=classic, activation="sigmoid", cost="quadratic", seed=0, learning_rate=3.0,
                        batch_size=100, optimizer="sgd")
    else:
        notices = []
    settings["batch_size"], clamped = fit_batch_size(settings["batch_size"], len(dataset.train_labels))
    return settings, notices + ([clamped] if clamped else [])
