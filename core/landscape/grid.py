"""The mean cost over a grid of a plane θ₀ + α·d₁ + β·d₂: fast, naive, and progressive.

For 784-16-16-10 on 1,000 images a 51×51 grid needs ~109 million sigmoids but only ~2 GFLOP
of small products, and a float32 sigmoid costs some forty times an add: the sigmoids are
the work. Three things cut them without changing the answer beyond float32 rounding:

1. The first layer the plane moves is linear in the grid: Z(α, β) = Z₀ + α·P + β·Q, with
   Z₀ = A·Wᵀ + b, P = A·D₁ᵀ + e₁, Q = A·D₂ᵀ + e₂ computed once (A: that layer's input).
2. Its sigmoid separates: σ(z₀ + αp + βq) = R_α / (R_α + S_β), R_α = e^{z₀+αp}, S_β = e^{−βq}.
   One exp table per grid row and one per column replaces an exp per point with an add and
   a divide. No cancellation, unlike the tanh addition formula; a range check falls back.
3. Later sigmoids are 1/(1 + e^{−z}) with the minus folded into the weights: exp, add,
   divide — a third cheaper than np.tanh here, which is slower than np.exp. tanh layers use
   tanh z = 2σ(2z) − 1, the affine part riding on the next layer's weights; the quadratic
   cost uses (σ(z) − y)² = σ((1 − 2y)·z)² for one-hot y.
Grid points go through the later layers in chunks whose activations fit in L2 cache, each
with its own weights W + αE + βF (the later layers are affine in the grid only in their
weights, not in their inputs).
"""
from __future__ import annotations

import numpy as np

from core import activations as act
from core.network import Network, parameter_views

EXP_LIMIT = 85.0  # |exponent| below which e^x and sums of two such stay finite in float32
CHUNK_FLOATS = 1 << 17  # activations of one chunk of grid points: 512 kB, fits L2
TABLE_BYTES = 64 << 20  # largest pair of exp tables before falling back to direct sigmoids
# An activation a is computed as s·u + c from what the buffer holds (u), so the affine part
# rides on the next layer's weights: a tanh layer holds u = σ(2z) and a = 2u − 1.
AFFINE = {"sigmoid": (1.0, 0.0), "tanh": (2.0, -1.0), "relu": (1.0, 0.0), "leaky_relu": (1.0, 0.0)}
# What each layer's buffer receives: k·z, with k chosen so the activation is one e^{k·z} away.
PRE_SCALE = {"sigmoid": -1.0, "tanh": -2.0, "relu": 1.0, "leaky_relu": 1.0, "softmax": 1.0}
ONE = np.float32(1.0)


class GridEvaluator:
    """Mean cost over (x, y) at the points (alphas[i], betas[j]) of a plane, for model's architecture.

    model: anything with sizes, activation and cost (a Network or a Snapshot).
    Work happens lazily in `run`/`evaluate`/`grid`; construction costs three products.
    """

    def __init__(self, model, plane, x, y, alphas, betas, chunk_floats=CHUNK_FLOATS, table_bytes=TABLE_BYTES):
        self.sizes = tuple(int(n) for n in model.sizes)
        self.activation, self.cost = model.activation, model.cost
        self.alphas = np.asarray(alphas, dtype=np.float64).reshape(-1)
        self.betas = np.asarray(betas, dtype=np.float64).reshape(-1)
        x = np.ascontiguousarray(np.asarray(x).reshape(len(y), -1), dtype=np.float32)
        self.y = np.asarray(y, dtype=np.intp)
        self.n = len(self.y)
        n_layers = len(self.sizes) - 1
        parts = [parameter_views(self.sizes, np.asarray(v, dtype=np.float32)) for v in (plane.origin, plane.d1, plane.d2)]
        moves = [any(parts[k][0][l].any() or parts[k][1][l].any() for k in (1, 2)) for l in range(n_layers)]
        self.first = next((l for l, moved in enumerate(moves) if moved), None)
        self._names = [self.activation] * (n_layers - 1) + ["sigmoid" if self.cost == "quadratic" else "softmax"]
        if self.first is None:  # the plane moves nothing: one value everywhere
            net = Network(self.sizes, self.activation, self.cost)
            net.set_params(np.asarray(plane.origin, dtype=np.float32))
            self._constant = net.cost_of(x, self.y)
            return
        self._constant = None
        a = x  # layers before the first that moves are the same at every point
        for l in range(self.first):
            a = act.apply(self._names[l], a @ parts[0][0][l].T + parts[0][1][l])
        m = self.first
        # Examples run along the last axis everywhere: bias broadcasts and elementwise passes
        # then sweep long contiguous rows (a bias added across (…, 16) rows cost 4× more).
        zpq = np.stack([(a @ parts[k][0][m].T + parts[k][1][m]).T for k in range(3)])  # (3, n_m, N)
        # Layer m's activations get an extra row of ones when a layer follows: that layer's
        # bias then rides on its matrix product instead of costing a pass of its own.
        augmented = int(m < n_layers - 1)
        self._heights = [self.sizes[m + 1] + augmented, *self.sizes[m + 2:]]
        widest = max(self._heights)
        self.block = max(1, min(self.n, chunk_floats // widest))  # examples per pass
        self.chunk = max(1, chunk_floats // (self.block * widest))  # grid points per pass
        self._blocks = [(s, min(s + self.block, self.n)) for s in range(0, self.n, self.block)]
        self._coef = np.ones((self.chunk, 3), dtype=np.float32)  # rows [1, α, β]
        self._bufs = [np.empty(self.chunk * n * self.block, np.float32) for n in self._heights]
        scale, shift = self._prepare_first_layer(zpq, augmented, table_bytes)
        self._prepare_later_layers(parts, moves, scale, shift)
        if self.cost == "quadratic":
            signs = 1.0 - 2.0 * np.eye(self.sizes[-1], dtype=np.float32)[:, self.y]  # (n_L, N)
            self._signs = np.ascontiguousarray(signs)  # fancy indexing left it column-major: 5× slower to apply
        # log-sum-exp never underflows, so only a float64 network's clamp of −log(softmax) applies
        self._ce_cap = np.float32(-np.log(np.finfo(np.float64).tiny))

    def _prepare_first_layer(self, zpq, augmented, table_bytes) -> tuple:
        """Set up the first moved layer (separable exp tables, or k·z per point); return its (s, c)."""
        name, last = self._names[self.first], self.first == len(self.sizes) - 2
        exp_scale = None if last else {"sigmoid": 1.0, "tanh": 2.0}.get(name)  # tanh z = 2σ(2z) − 1
        table_size = (len(self.alphas) + len(self.betas)) * zpq[0].nbytes
        self.separable = bool(exp_scale) and table_size <= table_bytes and self._in_range(zpq, exp_scale)
        if self.separable:  # the extra row: R = e⁰ = 1 here, and S = 0 set in _col_tables, so σ = 1
            zpq = np.concatenate([zpq, np.zeros((3, augmented, self.n), np.float32)], axis=1)
            self._z0, self._p = exp_scale * zpq[0], exp_scale * zpq[1]
            self._q = -exp_scale * zpq[2]
            self._rows = np.empty((len(self.alphas), *zpq[0].shape), np.float32)
            self._cols = np.empty((len(self.betas), *zpq[0].shape), np.float32)
            self._rows_done = np.zeros(len(self.alphas), bool)
            self._cols_done = np.zeros(len(self.betas), bool)
        else:
            zpq *= PRE_SCALE[name]
            ones = np.zeros((3, augmented, self.n), np.float32)  # activates to 1: e^−∞ = 0, relu(1) = 1
            ones[0] = -np.inf if name in ("sigmoid", "tanh") else 1.0
            zpq = np.concatenate([zpq, ones], axis=1)
            self._zpq = [np.ascontiguousarray(zpq[:, :, s:e]).reshape(3, -1) for s, e in self._blocks]
        return AFFINE.get(name, (1.0, 0.0))

    def _prepare_later_layers(self, parts, moves, scale, shift):
        """Fold each activation's affine part and each layer's k into the weights of the next."""
        self._layers = []  # per later layer: (weights or stacked [W, E, F], biases or None, moves)
        self._shapes = [(n_out, n_in) for n_in, n_out in zip(self._heights[:-1], self._heights[1:])]
        self._weights_row = None  # the grid row whose per-point weights are in self._weights
        for l in range(self.first + 1, len(self.sizes) - 1):
            k = PRE_SCALE[self._names[l]]
            w = [k * scale * parts[j][0][l] for j in range(3)]  # (n_out, n_in)
            b = [k * (parts[j][1][l] + shift * parts[j][0][l].sum(axis=1)) for j in range(3)]
            if l == self.first + 1:  # the bias becomes the weight of the row of ones
                w, b = [np.concatenate([wj, bj[:, None]], axis=1) for wj, bj in zip(w, b)], None
            if moves[l]:
                self._layers.append((np.stack(w).reshape(3, -1), b if b is None else np.stack(b), True))
            else:
                self._layers.append((np.ascontiguousarray(w[0]), b if b is None else b[0][:, None], False))
            scale, shift = AFFINE.get(self._names[l], (1.0, 0.0))

    def _in_range(self, zpq, exp_scale) -> bool:
        """Return whether every exponent of both tables stays within EXP_LIMIT."""
        if not (len(self.alphas) and len(self.betas)):
            return True
        rows = max(float(np.abs(zpq[0] + a * zpq[1]).max()) for a in (self.alphas.min(), self.alphas.max()))
        cols = float(np.abs(self.betas).max()) * float(np.abs(zpq[2]).max())
        return exp_scale * max(rows, cols) <= EXP_LIMIT

    # -- evaluation ---------------------------------------------------------------------------
    def grid(self) -> np.ndarray:
        """Return the mean cost at every grid point, shape (len(alphas), len(betas))."""
        ia, jb = np.indices((len(self.alphas), len(self.betas))).reshape(2, -1)
        return self.evaluate(ia, jb).reshape(len(self.alphas), len(self.betas))

    def evaluate(self, ia, jb) -> np.ndarray:
        """Return the mean cost at the points (alphas[ia], betas[jb]), float64."""
        out = np.empty(len(ia))
        for _ in self.run(ia, jb, out):
            pass
        return out

    def run(self, ia, jb, out):
        """Write the costs at (alphas[ia], betas[jb]) into out, yielding how many are done.

        Points are visited in row-major order (a stable sort, so points given in row-major
        order come back in order: the first `count` of them are done at each yield).
        """
        ia, jb = np.asarray(ia, dtype=np.intp), np.asarray(jb, dtype=np.intp)
        if self._constant is not None:
            out[:] = self._constant
            yield len(ia)
            return
        order = np.lexsort((jb, ia))
        ia, jb = ia[order], jb[order]
        bounds = np.flatnonzero(np.diff(ia)) + 1
        done = 0
        for start, stop in zip(np.r_[0, bounds], np.r_[bounds, len(ia)]):
            pieces = -(-(stop - start) // self.chunk)  # equal chunks: 51 → 7×7+2×1 would waste passes
            edges = np.linspace(start, stop, pieces + 1).round().astype(int)
            for s, e in zip(edges[:-1], edges[1:]):
                with np.errstate(over="ignore"):  # e^z overflowing to inf gives σ = 0, as it should
                    out[order[s:e]] = self._chunk(ia[s], jb[s:e])
                done += e - s
                yield done

    def _row_weights(self, i):
        """Return [(weights, biases, moves)] of the later layers for every point of grid row i.

        A moving layer's weights are W + αE + βF, (len(betas), n_out, n_in), and its biases
        (len(betas), n_out, 1), built once per row with one small product each.
        """
        if self._weights_row != i:
            coef = np.ones((len(self.betas), 3), dtype=np.float32)
            coef[:, 1], coef[:, 2] = self.alphas[i], self.betas
            self._weights = [((coef @ w).reshape(len(coef), *shape), b if b is None else (coef @ b)[:, :, None], True)
                             if moves
                             else (w, b, False) for (w, b, moves), shape in zip(self._layers, self._shapes)]
            self._weights_row = i
        return self._weights

    def _buffer(self, layer, g, n):
        """Return a contiguous (g, neurons, n) view of a later layer's buffer."""
        rows = self._heights[layer]
        return self._bufs[layer][:g * rows * n].reshape(g, rows, n)

    def _row_table(self, i):
        if not self._rows_done[i]:
            table = np.multiply(self._p, np.float32(self.alphas[i]), out=self._rows[i])
            table += self._z0
            np.exp(table, out=table)
            self._rows_done[i] = True
        return self._rows[i]

    def _col_tables(self, js):
        for j in js[~self._cols_done[js]]:
            np.exp(np.multiply(self._q, np.float32(self.betas[j]), out=self._cols[j]), out=self._cols[j])
            self._cols[j, self.sizes[self.first + 1]:] = 0.0  # the row of ones: σ = R/(R + 0) = 1
            self._cols_done[j] = True
        return self._cols

    def _chunk(self, i, js) -> np.ndarray:
        """Return the mean cost at (alphas[i], betas[js]) for one chunk of a grid row."""
        g = len(js)
        coef = self._coef[:g]
        coef[:, 1] = self.alphas[i]
        coef[:, 2] = self.betas[js]
        total = np.zeros(g)
        contiguous = js[-1] - js[0] == g - 1  # js is sorted and unique
        pick = slice(js[0], js[0] + g) if contiguous else js
        weights = [(w[pick], b if b is None else b[pick]) if moves else (w, b)
                   for w, b, moves in self._row_weights(i)]
        if self.separable:
            rows, cols = self._row_table(i), self._col_tables(js)
        for block, (s, e) in enumerate(self._blocks):
            u = self._buffer(0, g, e - s)
            if self.separable:  # σ = R/(R + S)
                r = rows[:, s:e]
                if contiguous:
                    np.add(cols[pick, :, s:e], r, out=u)
                else:
                    np.take(cols[:, :, s:e], js, axis=0, out=u)
                    u += r
                np.divide(r, u, out=u)
            else:
                np.matmul(coef, self._zpq[block], out=u.reshape(g, -1))
                if len(self._layers):
                    self._activate(u, self._names[self.first])
            for layer, (w, b) in enumerate(weights):
                z = self._buffer(layer + 1, g, e - s)
                np.matmul(w, u, out=z)  # (g, n_out, n_in) @ (g, n_in, n), or one shared (n_out, n_in)
                if b is not None:
                    z += b
                if layer < len(self._layers) - 1:
                    self._activate(z, self._names[self.first + layer + 1])
                u = z
            if len(self._blocks) == 1:
                return self._cost_sums(u, s, e) / self.n
            total += self._cost_sums(u, s, e)
        return total / self.n

    @staticmethod
    def _activate(u, name):
        if name in ("sigmoid", "tanh"):  # u holds −z (or −2z): σ = 1/(1 + e^u)
            np.exp(u, out=u)
            np.add(u, ONE, out=u)
            np.divide(ONE, u, out=u)
        elif name == "relu":
            np.maximum(u, 0, out=u)
        else:
            np.maximum(u, np.multiply(u, act.LEAKY_SLOPE), out=u)

    def _cost_sums(self, u, s, e) -> np.ndarray:
        """Return each point's summed cost over examples s:e, given the output layer's input u."""
        g = len(u)
        if self.cost == "quadratic":  # u holds −z: |σ(z) − y| = σ((1 − 2y)·z) = 1/(1 + e^{(1−2y)·u})
            np.multiply(u, self._signs[:, s:e], out=u)
            self._activate(u, "sigmoid")
            return _row_sums_of_squares(u.reshape(g, -1))
        u -= u.max(axis=1, keepdims=True)
        picked = u[:, self.y[s:e], np.arange(e - s)]  # (g, examples)
        np.exp(u, out=u)
        costs = np.log(u.sum(axis=1)) - picked  # −log softmax_y
        np.minimum(costs, self._ce_cap, out=costs)
        return costs.sum(axis=1, dtype=np.float64)


def _row_sums_of_squares(flat) -> np.ndarray:
    """Return Σⱼ flat[i, j]² per row, float64.

    The sums run over ~10,000 float32 terms: a plain running sum (einsum) was off by
    ~1e-6 relative; NumPy's vecdot (and pairwise summation) stay near 1e-7.
    """
    if hasattr(np, "vecdot"):  # NumPy ≥ 2.0
        return np.vecdot(flat, flat).astype(np.float64)
    np.square(flat, out=flat)
    return flat.sum(axis=1, dtype=np.float64)


def naive_grid(model, plane, x, y, alphas, betas, dtype=None) -> np.ndarray:
    """Return the grid the obvious way: set every point's parameters and run the network."""
    dtype = np.dtype(dtype or np.asarray(model.params).dtype)
    net = Network(model.sizes, model.activation, model.cost, dtype=dtype)
    x = net.as_input(x)
    out = np.empty((len(alphas), len(betas)))
    for i, alpha in enumerate(alphas):
        for j, beta in enumerate(betas):
            net.set_params(plane.point(alpha, beta).astype(dtype))
            out[i, j] = net.cost_of(x, y)
    return out
