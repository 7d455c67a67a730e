"""What the core session tests share: a small session, and the loop a front end runs."""
import pytest
from toys import SIZES, tiny_dataset

from core.session import TrainingSession


@pytest.fixture
def session():
    return TrainingSession(tiny_dataset(n_train=400, n_test=60), sizes=SIZES, seed=1, learning_rate=1.0,
                           batch_size=10)
