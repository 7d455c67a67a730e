"""Neural Network Explorer: `python main.py` opens the window; `python main.py train …` trains headless."""
from __future__ import annotations

import sys

from core.threads import pin_env_before_numpy

pin_env_before_numpy()  # before anything imports NumPy: one BLAS thread (see core/threads.py)


def main(argv=None) -> int:
    """Run the command named by argv (default: open the window)."""
    # A spawned child process of the standalone app starts this executable again: this hands it
    # to multiprocessing at once (a no-op outside the bundle).
    from multiprocessing import freeze_support

    freeze_support()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "train":
        from core.train_cli import main as train

        return train(argv[1:])
    if argv and argv[0] == "record":
        from gui.record_cli import main as record

        return record(argv[1:])
    from gui.app import run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
