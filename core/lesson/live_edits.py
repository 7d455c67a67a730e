"""Hand edits of a network that is still training: undo, redo, and neurons held switched off."""
from __future__ import annotations

import numpy as np

from core.lesson.edits import Edit, EditError, EditHistory, SwitchOff, SwitchOn


class LiveEdits:
    """Applies edits to a live parameter vector and keeps switched-off neurons off while it trains.

    Training would grow a switched-off neuron's weights back; `hold(params)` after each
    step puts the held values back until the switch-off is undone or switched on again.
    """

    def __init__(self):
        self._history = EditHistory()
        self._pinned = {}  # (layer, index) of switched-off neurons → (parameter indices, values held)

    def apply(self, edit: Edit, params: np.ndarray, sizes) -> str:
        """Apply an edit made for a network of `sizes`; return what it did."""
        if tuple(edit.sizes) != tuple(sizes):
            raise EditError(f"that edit was made for a {'-'.join(map(str, edit.sizes))} network;"
                            f" this one is {'-'.join(map(str, sizes))}")
        self._history.apply(edit, params)
        self._pin(edit, params, switched_off=isinstance(edit, SwitchOff))
        return edit.describe()

    def undo(self, params: np.ndarray) -> str | None:
        """Undo the latest edit; return what was undone (None if nothing was)."""
        edit = self._history.undo(params)
        if edit is None:
            return None
        self._pin(edit, params, switched_off=isinstance(edit, SwitchOn))
        return f"undid: {edit.describe()}"

    def redo(self, params: np.ndarray) -> str | None:
        """Apply again the edit undone last; return what was redone (None if nothing was)."""
        edit = self._history.redo(params)
        if edit is None:
            return None
        self._pin(edit, params, switched_off=isinstance(edit, SwitchOff))
        return f"redid: {edit.describe()}"

    @property
    def holding(self) -> bool:
        """Whether any neuron is held switched off (training then calls `hold` after each step)."""
        return bool(self._pinned)

    def hold(self, params: np.ndarray) -> None:
        """Put the held values of switched-off neurons back (call after every training step)."""
        for indices, values in self._pinned.values():
            params[indices] = values

    def clear(self) -> None:
        """Forget every edit and hold (the network was replaced, reset or rewound)."""
        self._history.clear()
        self._pinned.clear()

    def _pin(self, edit, params, switched_off: bool):
        if not isinstance(edit, (SwitchOff, SwitchOn)):
            return
        key = (edit.layer, edit.index)
        if switched_off:
            indices = SwitchOff(edit.sizes, edit.layer, edit.index).indices()
            self._pinned[key] = (indices, params[indices].copy())
        else:
            self._pinned.pop(key, None)
