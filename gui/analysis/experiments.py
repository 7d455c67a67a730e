"""One-click experiments, trained on their own thread and plotted live, epoch by epoch."""
from __future__ import annotations

import threading
from dataclasses import replace
from functools import partial

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.lesson.experiments import CLASSIC, MEMORISER, RELU_CROSS_ENTROPY, compare_runs, describe_setup, lessons_network
from gui.widgets.chart_style import LAYER_COLOURS, ChartTheme, LogFriendlyAxis
from gui.widgets.jobs import BackgroundRunner
from gui.widgets.theme import follow_theme

CHANCE = 0.10


class Experiment:
    """What one button runs: the configurations, the default size of the run, the explanation."""

    def __init__(self, title, configs, epochs, n_train, explanation):
        self.title, self.configs, self.epochs, self.n_train, self.explanation = (
            title, configs, epochs, n_train, explanation)


EXPERIMENTS = (
    Experiment(
        "Sigmoid + quadratic cost vs relu + cross-entropy",
        (CLASSIC, RELU_CROSS_ENTROPY), 5, 60000,
        "Both networks are 784-16-16-10, start from the same seed and see the training images in the same "
        "order; only the hidden activation, the cost (with its output layer) and the learning rate differ. "
        "With the quadratic cost, a sigmoid output that is confidently wrong learns slowly: its gradient "
        "carries the factor σ′(z), close to 0 there. With cross-entropy and a softmax output the output "
        "gradient is simply a − y. How far apart the curves end depends on the learning rates chosen: read "
        "this as one run, not a verdict. The two costs are measured in different units: compare how they "
        "fall, not their heights."),
    Experiment(
        "Shuffled labels: memorising noise",
        (replace(MEMORISER, name="true labels"), replace(MEMORISER, name="shuffled labels", shuffle_labels=True)),
        30, 5000,
        "The same network trains twice on the same images: once with their true labels, once with the "
        "labels randomly shuffled, so that a label says nothing about its image. The shuffled run's "
        "training cost still falls and its training accuracy (dashed) climbs: with enough weights a network "
        "can memorise arbitrary answers. Its test accuracy stays at chance, about 10 % (it wobbles by a few "
        "points as the memorised answers happen to line up with real classes): nothing it learnt carries "
        "over to new images. A falling training cost alone does not show that a network has learnt anything."),
)


def run_experiment(configs, dataset, epochs, stop: threading.Event, job):
    """Train the runs side by side (core.experiments.compare_runs), reporting (runs, fraction done) as they grow.

    The runs end early, and still return what they trained, once `stop` is set; once the job
    is superseded they end and nobody reads the result.
    """
    def report(runs, fraction):
        job.report((runs, fraction))
        return not (stop.is_set() or job.superseded)

    # compare_runs keeps BLAS to one thread (see core/threads.py) while it trains.
    return compare_runs(configs, dataset, epochs, 0, report)


class CompareView(QWidget):
    """Run an experiment with one click and watch its accuracy and cost curves grow.

    Signals:
        runningChanged(bool): an experiment started or stopped.
    """

    runningChanged = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._dataset = None
        self._runner = BackgroundRunner(self)
        self._runner.progress.connect(self._on_progress)
        self._runner.finished.connect(self._on_done)
        self._runner.failed.connect(self._on_failed)
        self.destroyed.connect(self._runner.cancel)  # the pool, going with this view, waits for the run to end
        self._stop = threading.Event()  # set: the run on its way ends early and reports what it trained
        self._runs = []
        self._pens = ChartTheme(True)

        self.experiment = QComboBox()
        for e in EXPERIMENTS:
            self.experiment.addItem(e.title)
        self.experiment.currentIndexChanged.connect(self._on_experiment)
        self.epochs = QSpinBox(minimum=1, maximum=200)
        self.n_train = QSpinBox(minimum=100, maximum=60000, singleStep=1000)
        self.n_train.setGroupSeparatorShown(True)
        self.run_button = QPushButton("▶ Run")
        self.run_button.clicked.connect(self.run)
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.setup = QLabel()  # says exactly what the runs train: they are not the network in the diagram
        self.setup.setWordWrap(True)
        font = self.setup.font()
        font.setBold(True)
        self.setup.setFont(font)
        self.lessons = QCheckBox("Use the lesson's network (784-16-16-10, sigmoid, quadratic cost, η = 3)")
        self.lessons.setToolTip("It memorises shuffled labels too, only far more slowly: with 16 + 16 hidden neurons"
                                " it needs many more epochs than the wider 784-128-10")
        self.lessons.toggled.connect(self._say_setup)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.legend = QLabel()
        self.legend.setWordWrap(True)

        self.accuracy_plot = pg.PlotWidget()
        self.cost_plot = pg.PlotWidget(axisItems={"left": LogFriendlyAxis(orientation="left")})
        for plot, y in ((self.accuracy_plot, "accuracy (%)"), (self.cost_plot, "training cost")):
            plot.setLabel("bottom", "epoch")
            plot.setLabel("left", y)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setMenuEnabled(False)
        self.accuracy_plot.setYRange(0, 100)
        self.cost_plot.setLogMode(y=True)

        controls = QHBoxLayout()
        controls.addWidget(self.experiment, 1)
        controls.addWidget(self.run_button)
        controls.addWidget(self.stop_button)
        settings = QFormLayout()
        sizes = QHBoxLayout()
        sizes.addWidget(QLabel("epochs"))
        sizes.addWidget(self.epochs)
        sizes.addWidget(QLabel("training images"))
        sizes.addWidget(self.n_train)
        sizes.addWidget(self.progress_bar, 1)
        settings.addRow(sizes)
        settings.addRow(self.lessons)
        plots = QHBoxLayout()
        plots.addWidget(self.accuracy_plot)
        plots.addWidget(self.cost_plot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addLayout(settings)
        layout.addWidget(self.setup)
        layout.addWidget(self.explanation)
        layout.addWidget(self.legend)
        layout.addLayout(plots, 1)
        layout.addWidget(self.status)
        self.epochs.valueChanged.connect(self._say_setup)
        self.n_train.valueChanged.connect(self._say_setup)
        self._on_experiment(0)
        follow_theme(self)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- inputs ------------------------------------------------------------------------------------
    def set_dataset(self, ds) -> None:
        """Experiment on this dataset (a run in progress keeps the one it started with)."""
        self._dataset = ds
        self.n_train.setMaximum(len(ds.train_labels))
        self._say_setup()
        self.status.setText(f"{ds.name}: {len(ds.train_labels):,} training and {len(ds.test_labels):,}"
                            f" test images. Runs train on their own, separately from the main network.")

    def set_dark(self, dark: bool) -> None:
        self._pens = ChartTheme(dark)
        for plot in (self.accuracy_plot, self.cost_plot):
            plot.setBackground(self._pens.background)
            self._pens.style_axes(plot)
        self._draw()

    # -- running ------------------------------------------------------------------------------------
    @property
    def runs(self) -> tuple:
        """Return the runs of the experiment on show (their configurations and epochs so far)."""
        return tuple(self._runs)

    @property
    def is_running(self) -> bool:
        return self._runner.busy

    def run(self) -> None:
        """Start the chosen experiment (stopping one that runs)."""
        if self._dataset is None:
            self.status.setText("Open a dataset first.")
            return
        self.shutdown()
        n = min(self.n_train.value(), len(self._dataset.train_labels))
        data = self._dataset if n == len(self._dataset.train_labels) else \
            self._dataset.subset(n, len(self._dataset.test_labels))
        self._runs = []
        self._draw()
        configs = self.configs()
        self._stop = threading.Event()
        self._runner.submit(partial(run_experiment, configs, data, self.epochs.value(), self._stop), with_job=True)
        self.status.setText(f"Training {len(configs)} networks on {n:,} images for {self.epochs.value()} epochs…")
        self._set_running(True)

    def stop(self) -> None:
        """Ask the running experiment to stop after its current stretch of steps."""
        self._stop.set()

    def shutdown(self, msecs: int = 10000) -> bool:
        """End the running experiment without a word and wait for it; return whether it ended in time."""
        if not self._runner.busy:
            return True
        self._runner.cancel()
        ended = self._runner.wait(msecs)
        self._set_running(False)
        return ended

    def wait_idle(self, msecs: int = 10000) -> bool:
        """Wait until no experiment runs (for tests)."""
        return self._runner.wait(msecs)

    def closeEvent(self, event):
        self.shutdown()
        super().closeEvent(event)

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.experiment.setEnabled(not running)
        self.runningChanged.emit(running)

    def _on_experiment(self, index: int) -> None:
        e = EXPERIMENTS[index]
        self.epochs.setValue(e.epochs)
        self.n_train.setValue(min(e.n_train, self.n_train.maximum()))
        self.explanation.setText(e.explanation)
        shuffled = any(c.shuffle_labels for c in e.configs)
        self.lessons.setVisible(shuffled)  # the comparison already uses the lesson's network
        self._say_setup()

    def configs(self) -> tuple:
        """Return the runs the chosen experiment trains, with the lesson's network if asked for."""
        e = EXPERIMENTS[self.experiment.currentIndex()]
        if self.lessons.isVisibleTo(self) and self.lessons.isChecked():
            return tuple(lessons_network(c) for c in e.configs)
        return e.configs

    def _say_setup(self, *_) -> None:
        ds = self._dataset
        n_inputs, n_classes = (ds.n_inputs, ds.n_classes) if ds is not None else (784, 10)
        n = self.n_train.value() if ds is None else min(self.n_train.value(), len(ds.train_labels))
        self.setup.setText(describe_setup(self.configs(), n_inputs, n_classes, n, self.epochs.value()))

    def _on_progress(self, report) -> None:
        runs, fraction = report
        self.progress_bar.setValue(round(100 * fraction))
        points = [len(r.epochs) for r in runs]
        if points != [len(r.epochs) for r in self._runs]:  # the curves only grow once an epoch ends
            self._runs = runs
            self._draw()

    def _on_done(self, result) -> None:
        self._set_running(False)
        self._runs = result.runs
        self._draw()
        epochs = max((r.epochs[-1] for r in result.runs if r.epochs), default=0)
        diverged = any(r.diverged for r in result.runs)
        self.status.setText(f"{'Done' if result.completed else 'Stopped'} after {epochs} epochs."
                            + (" A run diverged (cost NaN/inf) and stopped early." if diverged else ""))

    def _on_failed(self, message) -> None:
        self._set_running(False)
        self.status.setText(f"The experiment failed: {message}")

    # -- drawing ---------------------------------------------------------------------------------------
    def _draw(self) -> None:
        theme = self._pens
        for plot in (self.accuracy_plot, self.cost_plot):
            plot.clear()
        chance = pg.InfiniteLine(100 * CHANCE, angle=0, pen=pg.mkPen(theme.muted, style=Qt.DotLine), label="chance",
                                 labelOpts={"position": 0.97, "color": theme.muted, "anchors": [(1, 1), (1, 1)]})
        self.accuracy_plot.addItem(chance)
        keys = []
        for i, run in enumerate(self._runs):
            colour = QColor(*LAYER_COLOURS[i % len(LAYER_COLOURS)])
            latest = ""
            if run.epochs:
                latest = f": test {100 * run.test_accuracy[-1]:.1f} %, training {100 * run.train_accuracy[-1]:.1f} %"
            keys.append((colour, "━", run.config.name + latest))
            test = [100 * a for a in run.test_accuracy]
            train = [100 * a for a in run.train_accuracy]
            self.accuracy_plot.plot(run.epochs, test, pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=5,
                                    symbolBrush=colour, symbolPen=None)
            self.accuracy_plot.plot(run.epochs, train, pen=pg.mkPen(colour, width=1, style=Qt.DashLine))
            self.cost_plot.plot(run.epochs, run.train_cost, pen=pg.mkPen(colour, width=2), symbol="o",
                                symbolSize=5, symbolBrush=colour, symbolPen=None)
        self.legend.setText(" &nbsp; ".join(
            f"<span style='color:{c.name()}; font-weight:bold'>{mark} {name}</span>" for c, mark, name in keys))
        self.legend.setVisible(bool(keys))
        self.accuracy_plot.setTitle(theme.keyed_title("accuracy (%) · solid: test · dashed: training", []))
        self.cost_plot.setTitle(theme.keyed_title("training cost", []))
