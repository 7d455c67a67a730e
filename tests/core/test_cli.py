"""`main.py train`: the headless command a newcomer runs first."""
import subprocess
import sys
from pathlib import Path

import numpy as np

from core.checkpoint import load_checkpoint

ROOT = Path(__file__).resolve().parents[2]


def train(*args, timeout=240):
    return subprocess.run([sys.executable, "main.py", "train", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_short_run_prints_an_epoch_line_and_the_final_accuracy(tmp_path):
    out = tmp_path / "net.npz"
    result = train("--epochs", "2", "--train-limit", "6000", "--save", str(out))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert sum(line.startswith("epoch") for line in lines) == 2
    last = lines[-1]
    assert last.startswith("test accuracy: ") and len(last) == len("test accuracy: 0.0000")
    accuracy = float(last.split(": ")[1])
    assert accuracy > 0.6  # 10 % is chance
    ck = load_checkpoint(out)
    assert ck.network.sizes == (784, 16, 16, 10) and ck.training["epoch"] == 2
    assert np.isfinite(ck.network.params).all()


def test_bad_arguments_get_a_clear_message_and_non_zero_exit(tmp_path):
    for args, words in [(["--lr", "-1"], "--lr"), (["--hidden", "16,x"], "hidden"),
                        (["--batch-size", "0"], "--batch-size"), (["--activation", "swish"], "swish"),
                        (["--data", str(tmp_path)], "train-images")]:
        result = train(*args, "--epochs", "1")
        assert result.returncode != 0
        assert words in result.stderr and "Traceback" not in result.stderr
