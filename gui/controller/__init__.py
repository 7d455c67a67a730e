"""The controller, between the window and training: `Controller` (controller.py) owns the worker,
the selection and the frame loop; time travel (time_travel.py), the tour-host API (tour_host.py) and
what the learner is told of the worker's reports (worker_reports.py) are parts of it of their own."""
from gui.controller.controller import CHART_PERIODS, FRAME_MS, Controller

__all__ = ["CHART_PERIODS", "FRAME_MS", "Controller"]
