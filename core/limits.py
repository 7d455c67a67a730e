"""The bounds on everything that comes from outside: settings, checkpoints, datasets, options.

They sit here, in one place, so the checks and the error messages quote the same numbers
(see core/validation.py), and the README's "Limits" section can list them.
"""
from __future__ import annotations

# -- the network ---------------------------------------------------------------------------
MAX_HIDDEN_LAYERS = 10  # hidden layers; 40 layers of 4096 would need ~5 GB
MAX_NEURONS_PER_LAYER = 4096  # hidden and output layers
MAX_INPUTS = 65_536  # input neurons: images up to 256 × 256 pixels
MAX_PARAMETERS = 16_000_000  # weights and biases: 64 MB in float32, 128 MB in float64

# -- training --------------------------------------------------------------------------------
LEARNING_RATE_RANGE = (1e-6, 100.0)
BATCH_SIZE_RANGE = (1, 10_000)
SEED_RANGE = (0, 2**31 - 1)  # what the seed boxes (a 32-bit spin box) can show
WEIGHT_DECAY_RANGE = (0.0, 1.0)
MOMENTUM_RANGE = (0.0, 0.999)  # μ = 1 would never forget a step
EPOCHS_RANGE = (1, 100_000)
MAX_STEPS = 2**53  # step, epoch and position counters (and Adam's t): exact in a float64

# -- files -----------------------------------------------------------------------------------
MAX_DECOMPRESSED_BYTES = 2**31  # one dataset file once decompressed: EMNIST's largest is ~0.6 GB
MAX_DATASET_ELEMENTS = 2**31  # values one IDX file may claim
MAX_CHECKPOINT_MEMBERS = 256  # arrays in one checkpoint file
MAX_CHECKPOINT_SMALL_BYTES = 1 << 20  # any array other than parameters, optimizer state and history
MAX_HISTORY_LENGTH = 1 << 18  # recorded steps of cost history (Trainer's history capacity)
MAX_TRAJECTORY_BYTES = 64 << 20  # the recorded trajectory (cost surface, timeline)
MAX_EVALUATIONS = 200_000  # accuracy records per split
STALE_TEMP_SECONDS = 60  # a save's temporary file untouched this long was left by an interrupted save


def bound_text(low, high) -> str:
    """Return "between low and high" written the way the messages quote bounds."""
    def show(v):
        return f"{v:,}" if isinstance(v, int) else f"{v:g}"
    return f"between {show(low)} and {show(high)}"
