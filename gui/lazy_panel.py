"""A stand-in for a panel that starts out of view: the panel is built the first time it is shown or used.

Most of the window's panels start tabbed behind another or closed; building them all took
a third of the time before the window first showed. The stand-in has the panel's signals (it
passes the panel's own on once the panel exists), keeps the state it is given until then
(`set_…` calls: the last one wins; `select_…` calls: the last few, in order) and builds the
panel when its dock is shown, when another of its methods is called, or when anything else
about the panel (a child widget, a property) is asked for.
"""
from __future__ import annotations

from PySide6.QtCore import QMetaMethod, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QScrollArea, QVBoxLayout, QWidget

SIGNAL_TYPES = {"int": int, "double": float, "bool": bool, "QString": str}  # else: object
KEPT_SELECTIONS = 4  # `select_…` calls kept for an unbuilt panel (the surface's plane takes the last two)
# What an unbuilt panel answers without being built: it has no work to finish or stop.
WHEN_UNBUILT = {"shutdown": None, "wait_idle": True}


class LazyPanel(QWidget):
    """Stands in a dock for a panel until the panel is needed; then holds it, filling the same space.

    Subclasses (made by `lazy_class`) carry the panel's class and a copy of each of its signals.
    """

    panel_class = None
    signal_names = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._panel = None
        self._calls = []  # (method name, args, kwargs) waiting for the panel
        self._dock = None  # the dock whose tab being brought forward builds the panel
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def is_built(self) -> bool:
        return self._panel is not None

    def panel(self):
        """Return the panel, building it now if it does not exist yet."""
        if self._panel is None:
            self._panel = panel = self.panel_class(self)
            area = self._scroll_area()
            if area is not None:
                # the panel takes the stand-in's place, so it learns the dock's width as it
                # would have from the start (panels rearrange themselves by their parent's width)
                area.takeWidget()
                area.setWidget(panel)
                self.setParent(area)
                self.hide()
            else:
                self.layout().addWidget(panel)
            for name in self.signal_names:
                getattr(panel, name).connect(getattr(self, name).emit)
            calls, self._calls = self._calls, []
            for name, args, kwargs in calls:
                getattr(panel, name)(*args, **kwargs)
            self.updateGeometry()
        return self._panel

    def _scroll_area(self):
        viewport = self.parentWidget()
        area = viewport.parentWidget() if viewport is not None else None
        return area if isinstance(area, QScrollArea) and area.widget() is self else None

    def showEvent(self, event):
        super().showEvent(event)
        if self._panel is None:
            self._watch_dock()
            QTimer.singleShot(0, self._build_if_in_view)

    def _watch_dock(self):
        """Build the panel when its dock's tab comes forward (tabbed docks behind stay 'visible', only covered)."""
        if self._dock is not None:
            return
        dock = self.parentWidget()
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parentWidget()
        if dock is not None:
            self._dock = dock
            dock.visibilityChanged.connect(lambda visible: visible and QTimer.singleShot(0, self._build_if_in_view))

    def _build_if_in_view(self):
        if self._panel is not None or not self.isVisible():
            return
        if self._dock is None or not self._dock.visibleRegion().isEmpty():
            self.panel()

    def sizeHint(self):
        return self._panel.sizeHint() if self._panel is not None else super().sizeHint()

    def grab(self, *args):
        return self.panel().grab(*args)

    def findChildren(self, *args, **kwargs):
        return self.panel().findChildren(*args, **kwargs)

    def _record(self, name):
        def call(*args, **kwargs):
            if self._panel is not None:
                return getattr(self._panel, name)(*args, **kwargs)
            if name.startswith("set_"):
                self._calls = [c for c in self._calls if c[0] != name]
            else:
                kept = [c for c in self._calls if c[0] == name][-(KEPT_SELECTIONS - 1):]
                self._calls = [c for c in self._calls if c[0] != name or c in kept]
            self._calls.append((name, args, kwargs))
            return None
        return call

    def __getattr__(self, name):
        # Only called for names the stand-in lacks: they belong to the panel.
        if name.startswith("_"):
            raise AttributeError(name)
        panel = self.__dict__.get("_panel")
        if panel is not None:
            return getattr(panel, name)
        attr = getattr(self.panel_class, name, None)
        protocol = name in WHEN_UNBUILT or name.startswith(("set_", "select_"))
        if attr is None and protocol:
            raise AttributeError(name)  # `hasattr(panel, "shutdown")` must not build a panel that lacks it
        if callable(attr) and name in WHEN_UNBUILT:
            return lambda *args, **kwargs: WHEN_UNBUILT[name]
        if callable(attr) and protocol:
            return self._record(name)
        if callable(attr):  # another method (a slot for another panel's signal, …): built when called
            return lambda *args, **kwargs: getattr(self.panel(), name)(*args, **kwargs)
        return getattr(self.panel(), name)  # an instance attribute (a child widget, …): needs the panel


_classes = {}


def lazy_class(cls) -> type:
    """Return the LazyPanel subclass standing in for panels of class `cls` (with the same signals)."""
    if cls not in _classes:
        meta, signals = cls.staticMetaObject, {}
        for i in range(QWidget.staticMetaObject.methodCount(), meta.methodCount()):
            method = meta.method(i)
            name = bytes(method.name()).decode()
            if method.methodType() == QMetaMethod.Signal and name not in signals:
                signals[name] = Signal(*(SIGNAL_TYPES.get(bytes(t).decode(), object) for t in method.parameterTypes()))
        attrs = dict(signals, panel_class=cls, signal_names=tuple(signals), __doc__=f"Stands in for {cls.__name__}.")
        _classes[cls] = type(f"Lazy{cls.__name__}", (LazyPanel,), attrs)
    return _classes[cls]
