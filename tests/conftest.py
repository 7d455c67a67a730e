import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # test modules share small helpers

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def mnist():
    from core.data import load_mnist

    return load_mnist()
