"""Export a training history as CSV (written atomically)."""
from __future__ import annotations

import csv
import os
import tempfile


def write_history_csv(path, history) -> None:
    """Write cost and gradient norm per recorded step, then accuracy per evaluation, as CSV."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".history-", suffix=".csv", dir=folder)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["kind", "step", "epoch", "split", "cost", "grad_norm", "accuracy"])
            norms = dict(zip(history.grad_norms.step_values().tolist(), history.grad_norms.values().tolist()))
            for step, cost in zip(history.costs.step_values().tolist(), history.costs.values().tolist()):
                out.writerow(["step", step, "", "", f"{cost:.6g}", f"{norms.get(step, float('nan')):.6g}", ""])
            for split, records in history.accuracy.items():
                for epoch, step, accuracy, cost in records:
                    out.writerow(["evaluation", step, f"{epoch:.4f}", split, f"{cost:.6g}", "", f"{accuracy:.6f}"])
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
