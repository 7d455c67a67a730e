import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(scope="session")
def mnist():
    from core.data import load_mnist

    return load_mnist()


@pytest.fixture(scope="session", autouse=True)
def own_data_folder(tmp_path_factory):
    """Give this test run its own app data folder (autosave, stale temporaries).

    Qt's test mode puts it under ~/.qttest, shared by every run on the machine, so two runs
    at once would restore each other's autosave.
    """
    folder = tmp_path_factory.mktemp("app-data")
    with pytest.MonkeyPatch.context() as patch:
        try:
            import gui.session
        except ImportError:  # a core-only environment
            yield folder
            return
        patch.setattr(gui.session, "data_folder", lambda: folder)
        yield folder
