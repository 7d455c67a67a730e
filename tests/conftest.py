import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(scope="session")
def mnist():
    from core.data import load_mnist

    return load_mnist()


@pytest.fixture(autouse=True)
def _dark_theme_again():
    """Give every test the dark theme and Qt style it starts with, whatever the test before switched to."""
    import sys

    widgets = sys.modules.get("PySide6.QtWidgets")
    app = widgets.QApplication.instance() if widgets is not None else None
    style = app.style().name() if app is not None else None
    yield
    module = sys.modules.get("gui.widgets.theme")
    if module is not None and module.theme().dark is not True:
        module.theme().set_dark(True)
    if app is not None and app.style().name() != style:  # the theme sets Fusion; other tests expect the default
        app.setStyle(style)
        app.setPalette(app.style().standardPalette())


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
