"""The tour-host API: what the guided tour (and the menus) ask of the app, on the controller."""
from __future__ import annotations


class TourHostMixin:
    """Implement `gui.lesson.tour.TourHost` with the controller's `view` and `worker`.

    Selection and `show_example` are the controller's own intents; these are the rest.
    """

    def pause(self):
        self.worker.pause()

    def step(self, n: int = 1):
        self.worker.step(n)

    def is_paused(self) -> bool:
        return not self.latest().running

    def show_panel(self, name: str):
        self.view.show_panel(name)

    def visible_panels(self) -> set:
        return self.view.visible_panels()

    def set_diagram_mode(self, mode: str):
        self.view.diagram.set_mode(mode)

    def set_colour_by(self, what: str):
        self.view.diagram.set_colour_by(what)

    def set_surface_plane(self, kind: str):
        self.view.show_panel("surface")
        self.view.panels["surface"].set_plane_kind(kind)

    def set_pace(self, steps_per_second: float):
        """Let Play run at this many steps a second (0: as fast as possible), as the speed control would."""
        self.view.panels["training"].set_speed(steps_per_second)
