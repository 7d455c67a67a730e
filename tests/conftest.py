import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(scope="session")
def mnist():
    from core.data import load_mnist

    return load_mnist()
