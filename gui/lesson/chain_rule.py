"""The chain rule for the selected connection, with the network's own numbers."""
from __future__ import annotations

import math
from collections import deque

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget
from superqt.utils import qthrottled

from core.lesson import chain_rule as cr
from gui.widgets.theme import Palette, follow_theme, hex_colour, palette

RENDER_INTERVAL_MS = 100  # redraw at most ~10 times a second while training runs
FUNCTION_NAMES = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU", "softmax": "softmax"}
SLOPE_NAMES = {"sigmoid": ("σ′", "a(1 − a)"), "tanh": ("tanh′", "1 − a²"),
               "relu": ("ReLU′", "1 if z &gt; 0, else 0"), "leaky_relu": ("leaky ReLU′", "1 if z &gt; 0, else 0.01")}


def number(x: float, digits: int = 4) -> str:
    """Return x as HTML with `digits` significant digits, a true minus sign and ×10ⁿ for tiny or huge values."""
    if x is None:
        return "—"
    if not math.isfinite(x):
        return "∞" if x > 0 else ("−∞" if x < 0 else "undefined")
    if x == 0:
        return "0"
    sign = "−" if x < 0 else ""
    x = abs(x)
    text = f"{x:.{digits}g}"
    if x >= 1e-3 and "e" not in text:
        return sign + text
    if 1e-3 <= x < 1e7:  # a large ratio reads best as a whole number
        return sign + f"{x:,.0f}"
    exponent = math.floor(math.log10(x))
    mantissa = x / 10.0 ** exponent
    if round(mantissa, digits - 1) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    exp = f"−{-exponent}" if exponent < 0 else str(exponent)
    return f"{sign}{mantissa:.{digits - 1}f}×10<sup>{exp}</sup>"


class ChainRuleView(QWidget):
    """Shows ∂C/∂w = ∂z/∂w · ∂a/∂z · ∂C/∂a for the selected connection and the current example.

    Signals:
        connectionSelected(int weight_layer, int to, int from_): the learner followed a term of
            a hidden neuron's sum to the connection one layer up (the diagram may highlight it).
    """

    connectionSelected = Signal(int, int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = None
        self._selected = deque(maxlen=2)  # the last two connections chosen, newest last
        self._dark = True
        self._dirty = False
        self._chain = None
        self._sensitivity = None
        self._browser = QTextBrowser(self)
        self._browser.setOpenLinks(False)
        self._browser.anchorClicked.connect(self._follow_link)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._browser)
        # at most one redraw per interval, at its end, however many snapshots arrive
        self._render_soon = qthrottled(self._render, RENDER_INTERVAL_MS, leading=False, parent=self)
        follow_theme(self)

    # -- inputs ----------------------------------------------------------------------------
    def set_snapshot(self, snap) -> None:
        """Store the newest snapshot; the text is redrawn soon (cheap to call at 60 Hz)."""
        if snap is self._snap:
            return
        if self._snap is None or snap.sizes != self._snap.sizes:
            self._selected = deque((c for c in self._selected if _fits(snap, c)), maxlen=2)
        self._snap = snap
        self._schedule()

    def select_connection(self, weight_layer: int, to: int, from_: int) -> None:
        """Show the chain rule for W[weight_layer][to, from_]; the previous choice becomes the comparison."""
        conn = (int(weight_layer), int(to), int(from_))
        if self._snap is not None and not _fits(self._snap, conn):
            return
        if not self._selected or self._selected[-1] != conn:
            self._selected.append(conn)
        self._render()

    def set_neuron_pair(self, first: tuple, second: tuple) -> bool:
        """Select the connection joining two neurons (layer, index) of adjacent layers; return whether one does."""
        (la, ia), (lb, ib) = sorted([tuple(first), tuple(second)])
        if lb != la + 1:
            return False
        self.select_connection(la, ib, ia)
        return True

    def set_dark(self, dark: bool) -> None:
        """Switch between the dark and the light colour scheme."""
        self._dark = bool(dark)
        t = palette(self._dark)
        self._browser.setStyleSheet(f"QTextBrowser {{ background: {hex_colour(t.background)}; color: {hex_colour(t.foreground)};"
                                    " border: none; padding: 6px; }")
        self._render()

    # -- what is shown (for the window and for tests) ------------------------------------
    @property
    def browser(self) -> QTextBrowser:
        """Return the text on show (its links select connections)."""
        return self._browser

    def render_now(self) -> None:
        """Redraw now rather than at the next throttled turn."""
        self._render()

    def connections(self) -> tuple:
        """Return the selected connections, oldest first (at most two)."""
        return tuple(self._selected)

    def chain(self):
        """Return the ChainRule on show, or None."""
        return self._chain

    def sensitivity(self):
        """Return the Sensitivity of the last two selected connections, or None."""
        return self._sensitivity

    def text(self) -> str:
        """Return the shown text without markup."""
        return self._browser.toPlainText()

    # -- rendering ---------------------------------------------------------------------------
    def showEvent(self, event):
        super().showEvent(event)
        if self._dirty:
            self._render()

    def _schedule(self):
        self._dirty = True
        if self.isVisible():
            self._render_soon()

    def _follow_link(self, url: QUrl):
        parts = url.toString().split(":")
        if parts[0] == "conn" and len(parts) == 4:
            conn = tuple(int(p) for p in parts[1:])
            self.select_connection(*conn)
            self.connectionSelected.emit(*conn)

    def _render(self):
        self._dirty = False
        self._chain = self._sensitivity = None
        snap = self._snap
        t = palette(self._dark)
        style = (f"<style>body {{ color: {hex_colour(t.foreground)}; }} td {{ padding: 2px 6px; }}"
                 f" .m {{ color: {hex_colour(t.muted)}; }} a {{ color: {hex_colour(t.foreground)}; }}</style>")
        if snap is None:
            self._browser.setHtml(style + "<p class='m'>No network yet.</p>")
            return
        if snap.label is None or snap.example_grad is None:
            self._browser.setHtml(style + "<h3>Chain rule</h3><p>This example has no label (it was drawn), so it "
                                  "has no cost to take the derivative of. Pick a training or test example.</p>")
            return
        rates = cr.cost_rates(snap)
        auto = not self._selected
        conn = self._selected[-1] if self._selected else cr.strongest_connection(snap, snap.n_layers - 1, snap.label)
        self._chain = cr.chain_rule(snap, *conn, rates=rates)
        if len(self._selected) == 2:
            self._sensitivity = cr.sensitivity(snap, self._selected[-1], self._selected[0])
        html = [style, _header(snap, self._chain, auto, t), _factors(self._chain, t)]
        if self._chain.terms:
            html.append(_terms(self._chain, t))
        html.append(_sensitivity(self._sensitivity, t))
        scroll = self._browser.verticalScrollBar().value()
        self._browser.setHtml("".join(html))
        self._browser.verticalScrollBar().setValue(scroll)


def _fits(snap, conn) -> bool:
    try:
        cr.check_connection(snap, *conn)
        return True
    except cr.ChainRuleError:
        return False


def _rounding_note(ours: float, theirs, ok: bool) -> str:
    """Explain a last-digit difference between two values that agree (backprop ran in float32)."""
    if not ok or theirs is None or number(ours) == number(theirs):
        return ""
    return "<br><span class='m'>(the last digit differs only by the network's float32 rounding)</span>"


def _coloured(x: float, t: Palette, bold=False) -> str:
    colour = t.positive if x > 0 else t.negative if x < 0 else t.foreground
    text = number(x)
    return f"<span style='color:{hex_colour(colour)};{'font-weight:bold;' if bold else ''}'>{text}</span>"


def _w(c) -> str:
    """Return the lesson's name of a weight: w with the target layer up and (to, from) down."""
    return f"w<sup>({c.weight_layer + 1})</sup><sub>{c.to},{c.from_}</sub>"


def _header(snap, c, auto: bool, t: Palette) -> str:
    lo, hi = c.weight_layer, c.weight_layer + 1
    where = "output" if c.is_output else "hidden"
    cost = ("C = Σ<sub>j</sub> (a<sub>j</sub> − y<sub>j</sub>)²" if snap.cost == "quadratic"
            else "C = −log a<sub>y</sub>")
    split = {"train": "training", "test": "test"}.get(snap.example_split, snap.example_split)
    index = f" #{snap.example_index}" if snap.example_index >= 0 else ""
    note = ("<p class='m'>Showing the connection into the correct answer's neuron with the largest gradient. "
            "Click a connection in the diagram to choose another.</p>" if auto else "")
    return (f"<h3>Chain rule for {_w(c)}</h3>"
            f"<p>From neuron {c.from_} of layer {lo} to {where} neuron {c.to} of layer {hi}; "
            f"{_w(c)} = {_coloured(c.weight, t)}.<br>"
            f"Neuron {c.to}: z = {number(c.z)}, a = {FUNCTION_NAMES.get(c.activation, c.activation)}(z) = {number(c.a)}.<br>"
            f"<span class='m'>Example: {split}{index}, label {snap.label}. Cost {cost} = "
            f"{number(snap.example_cost)}.</span></p>{note}")


def _factors(c, t: Palette) -> str:
    lo, hi, j, i = c.weight_layer, c.weight_layer + 1, c.to, c.from_
    z, a = f"z<sup>({hi})</sup><sub>{j}</sub>", f"a<sup>({hi})</sup><sub>{j}</sub>"
    rows = [(f"∂{z} / ∂{_w(c)}", f"a<sup>({lo})</sup><sub>{i}</sub>", c.dz_dw)]
    if c.combined:
        y = c.through
        rows.append((f"∂a<sub>{y}</sub> / ∂{z}", f"a<sub>{y}</sub>(1<sub>[{j}={y}]</sub> − {a})", c.da_dz))
        rows.append((f"∂C / ∂a<sub>{y}</sub>", f"−1 / a<sub>{y}</sub>", c.dc_da))
    else:
        name, rule = SLOPE_NAMES.get(c.activation, (c.activation + "′", ""))
        rows.append((f"∂{a} / ∂{z}", f"{name}({z}) = {rule}", c.da_dz))
        if c.is_output:
            rows.append((f"∂C / ∂{a}", f"2({a} − y<sub>{j}</sub>), y<sub>{j}</sub> = {c.target:g}", c.dc_da))
        else:
            each = "δ<sub>k</sub>" if c.terms[0].slope is None else "f′(z<sub>k</sub>) · ∂C/∂a<sub>k</sub>"
            rows.append((f"∂C / ∂{a}", f"Σ<sub>k</sub> w<sub>k,{j}</sub> · {each} (below)", c.dc_da))
    line = f"border-top: 1px solid {hex_colour(t.rule)};"
    slope = "the slope of its softmax output" if c.combined else f"the slope of {FUNCTION_NAMES.get(c.activation, c.activation)} at z"
    meaning = (f"How active the sending neuron is, times {slope}, times how much the cost cares about "
               f"this neuron's activation.")
    body = "".join(f"<tr><td>{lhs}</td><td class='m'>{rhs}</td><td align='right'>{_coloured(v, t)}</td></tr>"
                   for lhs, rhs, v in rows)
    ok = c.matches
    mark = (f"<span style='color:{hex_colour(t.good if ok else t.bad)}; font-weight:bold;'>"
            f"{'✓ equal' if ok else '✗ differs'}</span>")
    combined = ""
    if c.combined:
        combined = (f"<p class='m'>A softmax output moves every output when one z changes, so ∂a/∂z is a matrix. "
                    f"The cross-entropy cost reads only a<sub>{c.through}</sub>, so the chain runs through it, "
                    f"and the two factors fold into the well-known δ = {a} − y<sub>{j}</sub> = {number(c.dc_dz)}.</p>")
    return (f"<p><b>∂C/∂w = ∂z/∂w · ∂a/∂z · ∂C/∂a</b></p>"
            f"<table cellspacing='0'>{body}"
            f"<tr><td style='{line}'><b>product</b></td><td style='{line}'></td>"
            f"<td align='right' style='{line}'>{_coloured(c.product, t, True)}</td></tr>"
            f"</table>"
            f"<p>= what backpropagation computed: {_coloured(c.backprop, t, True)} &nbsp;{mark}"
            f"{_rounding_note(c.product, c.backprop, ok)}</p>"
            f"<p class='m'>{meaning}</p>{combined}")


def _terms(c, t: Palette) -> str:
    hi, nxt, j = c.weight_layer + 1, c.weight_layer + 2, c.to
    folded = c.terms[0].slope is None
    head = ("<tr class='m'><td>k</td><td align='right'>w<sub>k,j</sub></td>"
            + ("<td align='right'>δ<sub>k</sub> = a<sub>k</sub> − y<sub>k</sub></td>" if folded else
               "<td align='right'>f′(z<sub>k</sub>)</td><td align='right'>∂C/∂a<sub>k</sub></td>")
            + "<td align='right'>term</td></tr>")
    rows = []
    for term in c.terms:
        link = f"<a href='conn:{hi}:{term.k}:{j}'>{term.k}</a>"
        middle = (f"<td align='right'>{number(term.dcost_dz)}</td>" if folded else
                  f"<td align='right'>{number(term.slope)}</td><td align='right'>{number(term.dcost_dact)}</td>")
        rows.append(f"<tr><td>{link}</td><td align='right'>{number(term.weight)}</td>{middle}"
                    f"<td align='right'>{_coloured(term.term, t)}</td></tr>")
    span = 3 if folded else 4
    ok = c.backprop_dc_da is not None and abs(c.term_sum - c.backprop_dc_da) <= 1e-4 * (
        sum(abs(x.term) for x in c.terms) + 1e-12)
    mark = f"<span style='color:{hex_colour(t.good if ok else t.bad)};'>{'✓' if ok else '✗'}</span>"
    return (f"<p><b>∂C/∂a<sup>({hi})</sup><sub>{j}</sub>, term by term</b><br>"
            f"<span class='m'>Neuron {j} of layer {hi} reaches the cost through every neuron k of layer {nxt}: "
            f"one term per outgoing connection (click k to follow it).</span></p>"
            f"<table cellspacing='0'>{head}{''.join(rows)}"
            f"<tr><td colspan='{span}'><b>sum</b></td><td align='right'>{_coloured(c.term_sum, t, True)}</td></tr>"
            f"</table><p>= the nudge backpropagation computed: {number(c.backprop_dc_da)} {mark}"
            f"{_rounding_note(c.term_sum, c.backprop_dc_da, ok)}</p>")


def _sensitivity(s, t: Palette) -> str:
    if s is None:
        return ("<p class='m'><b>Sensitivity.</b> Select a second connection to compare how strongly the cost "
                "reacts to each.</p>")
    names = [f"w<sup>({l + 1})</sup><sub>{j},{i}</sub>" for l, j, i in (s.first, s.second)]
    grads = (s.grad_first, s.grad_second)
    lines = "".join(f"<tr><td>{label}</td><td>{name}</td><td>∂C/∂w =</td><td align='right'>{_coloured(g, t)}</td></tr>"
                    for label, name, g in zip(("this one", "the one before"), names, grads))
    r = s.ratio
    big, small = (0, 1) if not r < 1 else (1, 0)
    times = r if r >= 1 else (math.inf if r == 0 else 1.0 / r)
    if math.isnan(r):
        words = "The cost does not change with either weight for this example."
    elif math.isinf(times):
        words = f"The cost changes with {names[big]} and not at all with {names[small]}."
    else:
        words = (f"The cost is <b>{number(times, 3)}×</b> more sensitive to {names[big]} than to {names[small]}: "
                 f"nudge each by the same small ε and C changes {number(times, 3)} times as much for {names[big]}.")
    return (f"<p><b>Sensitivity</b> <span class='m'>(this example)</span></p>"
            f"<table cellspacing='0'>{lines}</table><p>{words}</p>")
