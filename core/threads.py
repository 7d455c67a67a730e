"""Keep NumPy's BLAS pool to one thread for this network's small matrices.

Measured on a 2-core machine: OpenBLAS on two threads, with the other core busy (as it is
while the window draws), made an epoch of 784-16-16-10 fifty times slower. The matrices
here are far too small to gain from a second thread, so training always uses one.
"""
from __future__ import annotations

import contextlib
import os

_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
_limiter = None


def pin_env_before_numpy() -> None:
    """Ask BLAS for one thread through the environment (only works before NumPy loads)."""
    for name in _ENV:
        os.environ.setdefault(name, "1")


def limit_blas_threads(n: int = 1) -> bool:
    """Limit the BLAS pool to n threads now, whatever the environment said; return success."""
    global _limiter
    import numpy  # noqa: F401  threadpoolctl can only limit libraries already loaded

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return False
    _limiter = threadpool_limits(limits=n, user_api="blas")
    return True


def blas_threads() -> list:
    """Return the thread count of every BLAS library NumPy has loaded."""
    from threadpoolctl import threadpool_info

    return [info["num_threads"] for info in threadpool_info() if info.get("user_api") == "blas"]


def yield_cpu(niceness: int) -> None:
    """Lower this process's scheduling priority by `niceness` (where the platform has nice; else nothing)."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):  # not allowed here: run at the priority we have
            os.nice(niceness)
