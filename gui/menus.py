"""The window's menus and their actions (shortcuts are shown in the menus)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QAction, QKeySequence, QPainter
from PySide6.QtWidgets import QFileDialog, QMessageBox

from core.data import DatasetError, load_idx_dataset, load_mnist
from gui.lecture.clicker import CLICKER_HELP, Clicker
from gui.lecture.presentation import Presenter
from gui.lecture.recording import RecordingControl
from gui.panels import PANELS
from gui.scene import SceneKeeper, is_scene_file

ABOUT = """<h3>Neural Network Explorer</h3>
<p>Watch a small neural network learn to read handwritten digits, one mini-batch at a time,
and look inside it.</p>
<p><b>Data.</b> The MNIST database of handwritten digits is by Yann LeCun, Corinna Cortes and
Christopher J.C. Burges, distributed under the Creative Commons Attribution-Share Alike 3.0
licence (<a href="https://creativecommons.org/licenses/by-sa/3.0/">CC BY-SA 3.0</a>). The
original files ship unchanged with this app.</p>
<p>Built with Python, NumPy, PySide6 (Qt) and pyqtgraph.</p>"""

def save_widget_image(widget, path) -> None:
    """Save what a widget shows as PNG, or as SVG (vector) if the name ends in .svg."""
    path = str(path)
    if path.lower().endswith(".svg"):
        from PySide6.QtSvg import QSvgGenerator

        gen = QSvgGenerator()
        gen.setFileName(path)
        gen.setSize(widget.size())
        gen.setViewBox(QRect(0, 0, widget.width(), widget.height()))
        gen.setTitle(widget.windowTitle() or "Neural Network Explorer")
        painter = QPainter(gen)
        try:
            widget.render(painter, QPoint(0, 0))
        finally:
            painter.end()
    elif not widget.grab().save(path):
        raise OSError(f"could not write {path}")


class WindowActions:
    """Builds the menu bar of a MainWindow; its actions reach the network through the controller."""

    def __init__(self, window, controller):
        self.w = window
        self.controller = controller
        self.network_path = None
        bar = window.menuBar()
        self._file_menu(bar.addMenu("&File"))
        self._training_menu(bar.addMenu("&Training"))
        self._view_menu(bar.addMenu("&View"))
        self._help_menu(bar.addMenu("&Help"))
        self.scenes = SceneKeeper(window, controller, self.presenter)

    @property
    def session(self):
        """The gui.session.Session that remembers recent files and where file dialogs start."""
        return self.controller.session

    def _action(self, menu, text, slot, shortcut=None, checkable=False):
        act = QAction(text, self.w)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    # -- menus --------------------------------------------------------------------------------
    def _file_menu(self, m):
        self._action(m, "&Open network…", self.open_network, QKeySequence.Open)
        self.recent_menu = m.addMenu("Open &recent")
        m.aboutToShow.connect(self.refresh_recent)  # lists the files saved or opened since
        self.refresh_recent()
        self._action(m, "&Save network", self.save_network, QKeySequence.Save)
        self._action(m, "Save network &as…", self.save_network_as, "Ctrl+Shift+S")
        m.addSeparator()
        self._action(m, "Open s&cene…", self.open_scene)
        self._action(m, "Save sc&ene…", self.save_scene)
        m.addSeparator()
        self._action(m, "Open &dataset folder…", self.open_dataset, "Ctrl+Shift+O")
        self._action(m, "Use the embedded &MNIST", self.use_mnist)
        m.addSeparator()
        export = m.addMenu("&Export")
        self._action(export, "Diagram as image…", lambda: self.export_widget(self.w.diagram, "diagram"))
        self._action(export, "Cost surface as image…",
                     lambda: self.export_widget(self.w.panels["surface"], "cost-surface"))
        self._action(export, "Charts as image…", lambda: self.export_widget(self.w.panels["charts"], "charts"))
        self._action(export, "Whole window as image…", lambda: self.export_widget(self.w, "window"))
        self._action(export, "Training history as CSV…", self.export_history)
        self.recording = RecordingControl(self.w, self.controller, m, [(p.name, p.title) for p in PANELS])
        m.addSeparator()
        self._action(m, "&Quit", self.w.close, QKeySequence.Quit)

    def _training_menu(self, m):
        tp = self.w.panels["training"]
        for act in (tp.play_action, tp.fastest_action, tp.step_action, tp.step_epoch_action, tp.reset_action,
                    tp.reset_new_seed_action):
            m.addAction(act)
        m.addSeparator()
        c = self.controller
        self._action(m, "&Evaluate now", c.evaluate, "Ctrl+E")
        self._action(m, "&Undo edit", c.undo_edit, QKeySequence.Undo)
        self._action(m, "&Redo edit", c.redo_edit, QKeySequence.Redo)

    def _view_menu(self, m):
        self._action(m, "&Fit diagram", self.w.diagram.fit, "F")
        self._action(m, "Show &gradients (backpropagation)", self._toggle_gradients, "G", checkable=True)
        m.addSeparator()
        panels = m.addMenu("&Panels")
        for spec in PANELS:
            toggle = self.w.docks[spec.name].toggleViewAction()  # the menu item opens or closes it…
            panels.addAction(toggle)
            if spec.shortcut:  # …its key only ever brings it forward (a toggle hid a background tab)
                keys = QKeySequence(spec.shortcut)
                toggle.setText(f"{spec.title}\t{keys.toString(QKeySequence.SequenceFormat.NativeText)}")
                show = QAction(f"Show {spec.title}", self.w)
                show.setShortcut(keys)
                show.triggered.connect(lambda _=False, name=spec.name: self.w.show_panel(name))
                self.w.addAction(show)
        self._action(m, "Restore default &layout", self.w.restore_default_layout)
        m.addSeparator()
        self.dark_action = self._action(m, "&Dark palette", self.set_dark, "Ctrl+Shift+L", checkable=True)
        self.dark_action.setChecked(self.w.dark)
        self.presentation_action = self._action(m, "&Presentation mode", self.set_presentation, "F11",
                                                checkable=True)
        self.presenter = Presenter(self.w, self.session.settings)
        bigger = self._action(m, "&Larger type", lambda: self.presenter.change_type_size(+1), "Ctrl+=")
        bigger.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
        self._action(m, "&Smaller type", lambda: self.presenter.change_type_size(-1), "Ctrl+-")
        self._action(m, "Normal type si&ze", lambda: self.presenter.change_type_size(0), "Ctrl+0")
        self.clicker = Clicker(self.w, self.w.panels["tour"], lambda: self.presenter.on,
                               lambda: self.w.panel_visible("tour"))
        self.presenter.changed.connect(lambda _: self.clicker.refresh())
        self.presenter.changed.connect(self.presentation_action.setChecked)  # a scene may change the mode too
        self.w.docks["tour"].visibilityChanged.connect(lambda _: self.clicker.refresh())

    def _help_menu(self, m):
        self._action(m, "Guided &tour", lambda: self.controller.show_panel("tour"), "F1")
        self._action(m, "Keys for &presenting", lambda: QMessageBox.information(self.w, "Keys for presenting",
                                                                              CLICKER_HELP))
        self._action(m, "&About", lambda: QMessageBox.about(self.w, "About Neural Network Explorer", ABOUT))

    # -- files --------------------------------------------------------------------------------
    def refresh_recent(self):
        self.recent_menu.clear()
        recent = self.session.recent_files() if self.session else []
        for path in recent:
            act = self.recent_menu.addAction(Path(path).name)
            act.setToolTip(path)
            act.triggered.connect(lambda _=False, p=path: self.open_network(p))
        self.recent_menu.setEnabled(bool(recent))

    def open_network(self, path=None):
        if not path:
            path, _ = QFileDialog.getOpenFileName(self.w, "Open network", self.session.dialog_folder(),
                                                  "Networks and scenes (*.npz *.nnscene)")
            if path:
                self.session.remember_folder(path)
        if path and is_scene_file(path):
            self.scenes.open(path)
        elif path:
            self.network_path = path
            self.controller.load(path)

    def open_scene(self, path=None):
        """Open a scene: its network, and the window as it was when the scene was saved."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(self.w, "Open scene", self.session.dialog_folder(),
                                                  "Scenes (*.nnscene)")
            if path:
                self.session.remember_folder(path)
        if path:
            self.scenes.open(path)

    def save_scene(self, path=None):
        """Save the network and the window's moment (layout, selection, panels, example, tour step) as one file."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(self.w, "Save scene", self.session.dialog_path("scene.nnscene"),
                                                  "Scenes (*.nnscene)")
            if path:
                self.session.remember_folder(path)
        if path:
            if not is_scene_file(path):
                path += ".nnscene"
            self.scenes.save(path)

    def save_network(self):
        if self.network_path:
            self.controller.save(self.network_path)
        else:
            self.save_network_as()

    def save_network_as(self):
        path, _ = QFileDialog.getSaveFileName(self.w, "Save network", self.session.dialog_path("network.npz"),
                                              "Networks (*.npz)")
        if path:
            self.session.remember_folder(path)
            if not path.endswith(".npz"):
                path += ".npz"
            self.network_path = path
            self.controller.save(path)

    def open_dataset(self, folder=None):
        if not folder:
            folder = QFileDialog.getExistingDirectory(self.w, "Open a folder of IDX files",
                                                      self.session.dialog_folder())
        if not folder:
            return
        self.session.remember_folder(Path(folder).parent)
        try:
            dataset = load_idx_dataset(folder)
        except DatasetError as exc:
            QMessageBox.warning(self.w, "Cannot open this dataset", str(exc))
            return
        self.controller.open_dataset(dataset)

    def use_mnist(self):
        self.controller.open_dataset(load_mnist())

    def export_widget(self, widget, stem):
        path, _ = QFileDialog.getSaveFileName(self.w, "Export image", self.session.dialog_path(f"{stem}.png"),
                                              "PNG image (*.png);;SVG image (*.svg)")
        if path:
            self.session.remember_folder(path)
            try:
                save_widget_image(widget, path)
            except OSError as exc:
                QMessageBox.warning(self.w, "Export failed", str(exc))

    def export_history(self):
        path, _ = QFileDialog.getSaveFileName(self.w, "Export training history",
                                              self.session.dialog_path("history.csv"), "CSV (*.csv)")
        if path:
            self.session.remember_folder(path)
            self.controller.export_history(path)

    # -- view ---------------------------------------------------------------------------------
    def _toggle_gradients(self, on):
        self.controller.set_colour_by("gradients" if on else "values")

    def set_dark(self, dark):
        self.w.set_dark(dark)

    def set_presentation(self, on):
        """Large type fitted to the screen, full screen, the diagram with compact controls and one panel."""
        self.presenter.set_on(on)
