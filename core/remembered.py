"""Check settings remembered from an earlier run before start-up uses them.

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
            notices.append(f"{source}: the remembered {name} was dropped ({exc.detail}); the default is used.")
    return out, notices
