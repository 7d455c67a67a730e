"""The dockable panels around the diagram: what they are called and where they start."""
from __future__ import annotations

import importlib
from dataclasses import dataclass

from PySide6.QtCore import Qt


@dataclass(frozen=True)
class PanelSpec:
    name: str  # the id used by the tour, settings and `show_panel`
    title: str
    module: str
    cls: str
    area: Qt.DockWidgetArea
    group: str  # panels of one group start tabbed together
    visible: bool = True  # shown in the default layout (False: tabbed behind, or closed)
    shortcut: str = ""
    tall: bool = False  # needs height: the bottom docks grow when it is brought to the front


LEFT, RIGHT, BOTTOM = Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea, Qt.BottomDockWidgetArea

PANELS = (
    PanelSpec("training", "Training", "gui.training.panel", "TrainingPanel", LEFT, "left", shortcut="Ctrl+1"),
    PanelSpec("tour", "Guided tour", "gui.lesson.tour", "GuidedTour", LEFT, "left", False, "Ctrl+T"),
    PanelSpec("sample", "Current example", "gui.example.sample", "SampleView", RIGHT, "right-top", shortcut="Ctrl+2"),
    PanelSpec("draw", "Draw a digit", "gui.example.draw", "DrawView", RIGHT, "right-top", False, "Ctrl+D"),
    PanelSpec("probes", "Beyond the data", "gui.lesson.probes", "ProbesView", RIGHT, "right-top", False),
    PanelSpec("inspector", "Neuron inspector", "gui.inspector.panel", "NeuronInspector", RIGHT, "right-bottom",
              shortcut="Ctrl+3"),
    PanelSpec("chain_rule", "Chain rule", "gui.lesson.chain_rule", "ChainRuleView", RIGHT, "right-bottom", False),
    PanelSpec("edit", "Edit neuron", "gui.inspector.edit", "EditPanel", RIGHT, "right-bottom", False),
    PanelSpec("paint", "Paint weights", "gui.lesson.paint", "PaintWeightsView", RIGHT, "right-bottom", False),
    PanelSpec("charts", "Charts", "gui.training.charts", "TrainingCharts", BOTTOM, "bottom", shortcut="Ctrl+4"),
    PanelSpec("surface", "Cost surface", "gui.surface.panel", "SurfaceView", BOTTOM, "bottom", False, "Ctrl+5", tall=True),
    PanelSpec("batch", "Mini-batch", "gui.analysis.batch", "BatchView", BOTTOM, "bottom", False, tall=True),
    PanelSpec("matrix", "Matrix form", "gui.lesson.matrix", "MatrixView", BOTTOM, "bottom", False, tall=True),
    PanelSpec("patterns", "Weight patterns", "gui.lesson.patterns", "WeightPatternsView", BOTTOM, "bottom", False,
              tall=True),
    PanelSpec("stumble", "Stumbling downhill", "gui.lesson.stumble", "StumbleView", BOTTOM, "bottom", False,
              tall=True),
    PanelSpec("ranking", "Gradient ranking", "gui.analysis.ranking", "GradientRanking", BOTTOM, "bottom", False),
    PanelSpec("evaluation", "Evaluation", "gui.analysis.evaluation", "EvaluationView", BOTTOM, "bottom", False, tall=True),
    PanelSpec("compare", "Experiments", "gui.analysis.experiments", "CompareView", BOTTOM, "bottom", False, tall=True),
)

PANEL_NAMES = tuple(spec.name for spec in PANELS)
PANELS_BY_NAME = {spec.name: spec for spec in PANELS}


def create_panel(spec: PanelSpec, parent=None, lazy: bool = False):
    """Return a new instance of the panel's widget.

    lazy: for a panel out of view, a stand-in that builds it when it is first shown or used
    (see gui/lazy_panel.py); panels in the default layout's view are built at once.
    """
    cls = getattr(importlib.import_module(spec.module), spec.cls)
    if lazy and not spec.visible:
        from gui.lazy_panel import lazy_class

        return lazy_class(cls)(parent)
    return cls(parent)
