"""Fixtures the window's tests share."""
import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QMessageBox


@pytest.fixture
def open_app(qtbot, tmp_path, monkeypatch):
    """Return make(**open_window options): a window on a small MNIST whose controller's `warnings` lists its warnings."""
    from core.data import load_mnist
    from gui.app import open_window

    QStandardPaths.setTestModeEnabled(True)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args, **kw: warnings.append(args[2]))

    def make(**options):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
        c = open_window(load_mnist().subset(2000, 300), restore_settings=False, offer_restore=False,
                        settings=settings, **options)
        c.warnings = warnings
        qtbot.addWidget(c.view)
        return c

    return make
