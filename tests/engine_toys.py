"""Helpers the engine tests run inside spawned processes (they must be importable by name)."""
import time
from pathlib import Path

import numpy as np

from core.engine.slots import SharedSlots


def rewrite_forever(name, stop, sizes=(50_000, 3_000)):
    """Publish records whose every value is the record's number, as fast as possible, until stop is set."""
    slots = SharedSlots(name)
    k = 0
    while not stop.is_set():
        k += 1
        slots.write({"k": k, "label": f"record {k}"},
                    {"a": np.full(sizes[0], k, np.int64), "b": np.full(sizes[1], float(k))})
    slots.close()


def poison_first_parameter(trainer):
    """Set the first weight to NaN, so the next step diverges."""
    trainer.net.params[0] = np.nan


def sleep_forever(trainer):
    """Hang the engine (a stand-in for a step that never ends)."""
    time.sleep(3600)


def raise_memory_error(trainer):
    """Fail as a training step that runs out of memory would."""
    raise MemoryError("a stand-in for running out of memory")


def exit_engine(trainer):
    """End the engine process from inside a command (what no command handler catches)."""
    raise SystemExit(7)


def gone(pid) -> bool:
    """Return whether process pid has ended (a zombie awaiting its reaper counts as ended; needs /proc)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")
