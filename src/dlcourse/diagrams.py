"""Schematic diagrams drawn from the course's own objects: neurons, networks, graphs, schedules.

Every function takes what the page computed (weights, layer sizes, a forward cache, a model's
description, an optimizer) and returns a matplotlib figure; the page prints it with
``figures.to_html``. Positions are computed from the objects (layer sizes, number of steps), never
typed per figure, so a diagram cannot drift from the numbers on its page.

Legibility: a figure is scaled to the text column, 358 px on a 390 px phone. Diagrams are at most
``WIDTH`` inches wide and write no text under ``FONT`` points, so every label stays at 11 px or
more there (``figures.to_html`` checks it). Indices are Unicode sub/superscripts (w₁₂, W⁽¹⁾) at
the label's full size, not mathtext scripts at 70 % of it.
"""

from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch, Rectangle

from dlcourse import figures

WIDTH = 4.8  # inches: at most FONT / 11 * 358 px wide when shrunk to a phone's column
FONT = 12  # points: the smallest label a diagram writes
INK = figures.INK
FORWARD, BACKWARD = figures.PALETTE[0], figures.PALETTE[3]

_SUB = str.maketrans("0123456789()+-=ijklmn", "₀₁₂₃₄₅₆₇₈₉₍₎₊₋₌ᵢⱼₖₗₘₙ")
_SUP = str.maketrans("0123456789()+-=", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺⁻⁼")


def sub(text) -> str:
    """``text`` as Unicode subscripts: ``"w" + sub("12")`` is w₁₂."""
    return str(text).translate(_SUB)


def sup(text) -> str:
    """``text`` as Unicode superscripts: ``"W" + sup("(1)")`` is W⁽¹⁾ (the lecture's W^[1])."""
    return str(text).translate(_SUP)


def _num(value: float, digits: int = 2) -> str:
    """A number with ``digits`` decimals and a real minus sign; small ones in e-notation
    (3.1e−05), so a tiny gradient never reads as 0.00."""
    value = float(value)
    text = f"{value:.{digits - 1}e}" if value != 0 and abs(value) < 10 ** -digits else f"{value:.{digits}f}"
    return text.replace("-", "−")


def _vector(v, shown: int = 1) -> str:
    """The first entries of a vector, e.g. [0.12, …]."""
    v = np.ravel(v)
    head = ", ".join(_num(x) for x in v[:shown])
    return f"[{head}{', …' if v.size > shown else ''}]"


def _sheet(width: float, height: float):
    """A blank figure whose data coordinates are inches, origin bottom left."""
    plt.rcParams.update(figures.STYLE)
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


def _box(ax, x, y, text, color=INK, fill="none", size=FONT, pad=0.08, **kwargs):
    """Text centred at (x, y) in a rounded box."""
    return ax.text(x, y, text, ha="center", va="center", fontsize=size, zorder=3,
                   bbox={"boxstyle": f"round,pad={pad * 4}", "facecolor": fill, "edgecolor": color,
                         "linewidth": 1.4}, **kwargs)


def _arrow(ax, start, end, color=INK, width=1.3, shrink=0.0):
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops={"arrowstyle": "-|>", "color": color, "lw": width,
                            "shrinkA": shrink, "shrinkB": shrink, "mutation_scale": 14})


def _label(ax, x, y, text, color=INK, size=FONT, **kwargs):
    kwargs.setdefault("ha", "center")
    kwargs.setdefault("va", "center")
    return ax.text(x, y, text, color=color, fontsize=size, zorder=4, **kwargs)


# --- Chapter 1: one neuron -------------------------------------------------------------------------

def neuron(x, w, theta: float, gate: str = ""):
    """The McCulloch-Pitts neuron's data flow with one sample's values on it.

    inputs xᵢ → weights wᵢ → Σ wᵢxᵢ − θ = a (Eq. weighted-input) → step f → y = f(a) (Eq. step).
    The values come from ``dlcourse.neuron.weighted_input`` and ``mcculloch_pitts``.

    Args:
        x: one sample, shape (n,).
        w: weights, shape (n,).
        theta: the threshold.
        gate: a name for the title ("AND"), or "".
    """
    from dlcourse.neuron import mcculloch_pitts, weighted_input

    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    if x.ndim != 1 or x.shape != w.shape:
        raise ValueError(f"x and w must be vectors of the same length (n,); got {x.shape} and {w.shape}")
    a, y = float(weighted_input(x, w, theta)), float(mcculloch_pitts(x, w, theta))
    n = len(x)
    height = max(2.0, 0.8 * n + 0.9)
    fig, ax = _sheet(WIDTH, height)
    rows = np.linspace(height - 0.75, 0.55, n) if n > 1 else [height / 2 - 0.2]
    centre = (2.5, height / 2 - 0.2)
    for i, (xi, wi, row) in enumerate(zip(x, w, rows), start=1):
        _box(ax, 0.45, row, f"x{sub(i)} = {xi:g}", color=FORWARD)
        _arrow(ax, (0.95, row), (centre[0] - 0.45, centre[1] + 0.25 * (row - centre[1]) / height), shrink=2)
        above = row >= centre[1]
        # Text in the page's colour: no one blue reaches 4.5:1 contrast on both light and dark.
        _label(ax, 1.2, row + (0.3 if above else -0.3), f"w{sub(i)} = {wi:g}")
    _box(ax, centre[0], centre[1], "Σ wᵢxᵢ − θ", pad=0.12)
    _label(ax, centre[0] + 0.3, centre[1] + 0.5, f"θ = {theta:g}")
    _label(ax, centre[0] + 0.3, centre[1] - 0.5, f"a = {_num(a, 1)}")
    _arrow(ax, (centre[0] + 0.62, centre[1]), (3.45, centre[1]), shrink=2)
    _box(ax, 3.7, centre[1], "f", pad=0.12)
    _label(ax, 3.7, centre[1] - 0.5, "step")
    _arrow(ax, (3.9, centre[1]), (4.25, centre[1]), shrink=2)
    _box(ax, 4.5, centre[1], f"y = {y:g}", color=BACKWARD if y else INK)
    if gate:
        _label(ax, 0.05, height - 0.12, gate, ha="left", va="top", weight="bold")
    return fig


# --- Chapter 4: networks from layer sizes -----------------------------------------------------------

def _layer_rows(size: int, height: float, margin: float, max_gap: float = 0.7):
    gap = min(max_gap, (height - 2 * margin) / max(size - 1, 1))
    span = gap * (size - 1)
    return height / 2 + span / 2 - gap * np.arange(size)


def network(sizes, label_weights: bool = False, shapes: bool = False, activations=None, height=None):
    """A fully connected network drawn from its layer sizes.

    Unit j of layer l receives input k through the weight w_jk, entry (j, k) of W⁽ˡ⁾, whose
    shape is (sizes[l], sizes[l-1]) (Eq. layer-compact).

    Args:
        sizes: units per layer, input first, e.g. (2, 4, 1) or (20, 10, 1).
        label_weights: write w_jk on every edge (for small networks).
        shapes: write each matrix's shape under its layer, for a batch of m samples.
        activations: one name per non-input layer ("tanh", "σ"), or None.
        height: inches; by default from the largest layer.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must list at least two positive layer sizes, input first; got {sizes}")
    if activations is not None and len(activations) != len(sizes) - 1:
        raise ValueError(f"activations must name {len(sizes) - 1} layers (all but the input); got {activations}")
    if label_weights and max(sizes) > 6:
        raise ValueError(f"label_weights draws one label per edge: at most 6 units a layer; got {sizes}")
    biggest = max(sizes)
    radius = 0.2 if biggest <= 6 else min(0.2, 1.6 / biggest)
    height = height or (max(2.6, 0.75 * biggest + 0.5) if biggest <= 6 else 4.4)
    bottom = 1.0 if shapes else 0.35
    top = 0.55
    fig, ax = _sheet(WIDTH, height + bottom)
    xs = np.linspace(0.55, WIDTH - 0.55, len(sizes))
    ys = [_layer_rows(s, height - top, radius + 0.1, max_gap=0.75) + bottom for s in sizes]
    for l in range(1, len(sizes)):
        edges = [(xs[l - 1], yk, xs[l], yj) for yj in ys[l] for yk in ys[l - 1]]
        ex = np.array([[a, c, np.nan] for a, _, c, _ in edges]).ravel()
        ey = np.array([[b, d, np.nan] for _, b, _, d in edges]).ravel()
        ax.plot(ex, ey, color=INK, lw=1.0 if biggest <= 6 else 0.5, alpha=1.0 if biggest <= 6 else 0.35,
                zorder=1)
        for j, yj in enumerate(ys[l], start=1):
            for k, yk in enumerate(ys[l - 1], start=1):
                if label_weights:
                    # Place each label a different distance along its edge, by the sending unit,
                    # so that labels of edges that meet at a unit don't overlap.
                    t = 0.33 + 0.34 * (k - 1) / max(sizes[l - 1] - 1, 1)
                    lx, ly = xs[l - 1] + t * (xs[l] - xs[l - 1]), yk + t * (yj - yk)
                    ax.text(lx, ly, f"w{sub(j)}{sub(k)}", fontsize=FONT, ha="center", va="center",
                            color=INK, zorder=3,  # coloured text misses 4.5:1 on light or dark
                            bbox={"boxstyle": "round,pad=0.05", "facecolor": figures._PAPER,
                                  "edgecolor": "none", "alpha": 0.9})
    for l, (x, size) in enumerate(zip(xs, sizes)):
        colour = FORWARD if l == 0 else (BACKWARD if l == len(sizes) - 1 else figures.PALETTE[2])
        for y in ys[l]:
            ax.add_patch(plt.Circle((x, y), radius, facecolor=colour, edgecolor=INK, lw=1.0, zorder=2))
        name = "input" if l == 0 else ("output" if l == len(sizes) - 1 else "hidden")
        if activations is not None and l > 0:
            name += f", {activations[l - 1]}"
        _label(ax, x, height + bottom - 0.22, f"{name}\n{size} unit{'s' if size > 1 else ''}",
               va="top", linespacing=1.1)
    if shapes:
        for l in range(len(sizes)):
            if l == 0:
                text = f"X ({sizes[0]}, m)"
            else:
                text = f"A{sup(f'({l})')} ({sizes[l]}, m)"
            _label(ax, xs[l], bottom - 0.3, text)
            if l > 0:
                between = (xs[l - 1] + xs[l]) / 2
                _label(ax, between, bottom - 0.72, f"W{sup(f'({l})')} ({sizes[l]}, {sizes[l - 1]})")
    return fig


# --- Chapter 5: the computational graph of one sample ------------------------------------------------

def computational_graph(x, y, params, cache, loss: float):
    """The 20-10-1 network's forward pass for one sample as a graph, with its backward deltas.

    Top to bottom: x → z⁽¹⁾ = W⁽¹⁾x + b⁽¹⁾ → a⁽¹⁾ = tanh z⁽¹⁾ → z⁽²⁾ = W⁽²⁾a⁽¹⁾ + b⁽²⁾ →
    ŷ = σ(z⁽²⁾) → L(y, ŷ). Left of each edge the forward value, right of it the backward
    gradient: δ⁽²⁾ = ŷ − y (Eq. delta2-sample), ∂L/∂a⁽¹⁾ = W⁽²⁾ᵀδ⁽²⁾ and
    δ⁽¹⁾ = W⁽²⁾ᵀδ⁽²⁾ ⊙ (1 − a⁽¹⁾²) (Eq. delta1-sample), and the parameter gradients
    δ⁽²⁾a⁽¹⁾ᵀ, δ⁽¹⁾xᵀ (Eqs. output-grads-sample, hidden-grads-sample).

    Args:
        x: one sample (n_input, 1); y: its label (1, 1).
        params: W1 (n_hidden, n_input), b1, W2 (1, n_hidden), b2, as ``scratch.init_weights``.
        cache: ``scratch.forward(x, params)`` (Z1, A1, Z2, A2), each with one column.
        loss: the sample's loss, as the page computed it.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 2 or x.shape[1] != 1 or y.shape != (1, 1):
        raise ValueError(f"x must be one sample (n_input, 1) and y (1, 1); got {x.shape} and {y.shape}")
    A1, A2 = cache["A1"], cache["A2"]
    if A1.shape[1] != 1:
        raise ValueError(f"cache must come from forward(x, params) for one sample; A1 has shape {A1.shape}")
    delta2 = A2 - y
    dA1 = params["W2"].T @ delta2
    delta1 = dA1 * (1 - A1 ** 2)
    n_in, n_hidden = x.shape[0], A1.shape[0]
    one = sup("(1)")
    two = sup("(2)")
    nodes = [  # (node text, forward value on its outgoing edge, gradient on that edge)
        (f"x  ({n_in}, 1)", _vector(x), None),
        (f"z{one} = W{one}x + b{one}", _vector(cache["Z1"]), f"δ{one} = {_vector(delta1)}"),
        (f"a{one} = tanh z{one}", _vector(A1), f"∂L/∂a{one} = {_vector(dA1)}"),
        (f"z{two} = W{two}a{one} + b{two}", _num(cache["Z2"][0, 0], 3), f"δ{two} = ŷ − y = {_num(delta2[0, 0], 3)}"),
        ("ŷ = σ(z⁽²⁾)", _num(A2[0, 0], 3), f"∂L/∂ŷ = {_num(delta2[0, 0] / (A2[0, 0] * (1 - A2[0, 0])), 3)}"),
        (f"L(y = {y[0, 0]:g}, ŷ) = {_num(loss, 3)}", None, "∂L/∂L = 1"),
    ]
    step = 0.95
    height = step * (len(nodes) - 1) + 1.15
    fig, ax = _sheet(WIDTH, height)
    centre = 1.75
    top = height - 0.45
    for i, (text, value, grad) in enumerate(nodes):
        yi = top - i * step
        _box(ax, centre, yi, text, color=INK if i in (0, len(nodes) - 1) else FORWARD)
        if i < len(nodes) - 1:
            _arrow(ax, (centre - 0.35, yi - 0.2), (centre - 0.35, yi - step + 0.2), color=FORWARD)
            _label(ax, centre - 0.5, yi - step / 2, value, ha="right")
            back = nodes[i + 1][2]
            _arrow(ax, (centre + 0.35, yi - step + 0.2), (centre + 0.35, yi - 0.2), color=BACKWARD)
            _label(ax, centre + 0.5, yi - step / 2, back, ha="left")
    _label(ax, centre - 0.5, 0.15, "forward values ↓", ha="right")
    _label(ax, centre + 0.5, 0.15, "backward gradients ↑", ha="left")
    return fig


# --- Chapter 6: a Keras model from its plain-data description -----------------------------------------

def keras_model(described: dict):
    """The lecture's Sequential model as a stack of layers with shapes and parameter counts.

    A Dense layer with n_in inputs and n_out units has n_in·n_out kernel weights and n_out biases.

    Args:
        described: ``keras_models.describe_lecture_model()``: "layers", each with "name",
            "weight_shapes" [(n_in, n_out), (n_out,)], "params" and "activation"; "total_params".
    """
    layers = described["layers"]
    if not layers:
        raise ValueError("described['layers'] is empty: expected the model's Dense layers")
    rows = [(f"Input  (None, {layers[0]['weight_shapes'][0][0]})", "one sample: a vector")]
    for layer in layers:
        n_in, n_out = layer["weight_shapes"][0]
        rows.append((f"Dense, {layer['activation']}  (None, {n_out})",
                     f"{n_in}·{n_out} + {n_out} = {layer['params']:,} parameters"))
    step, box = 1.05, 0.78
    height = step * len(rows) + 0.2
    fig, ax = _sheet(WIDTH, height)
    for i, (title, detail) in enumerate(rows):
        yi = height - 0.5 - i * step
        ax.add_patch(FancyBboxPatch((0.2, yi - box / 2), WIDTH - 0.4, box, boxstyle="round,pad=0.02",
                                    facecolor=figures.PALETTE[i % 3] + "33", edgecolor=INK, lw=1.2,
                                    zorder=2))
        _label(ax, WIDTH / 2, yi + 0.15, title, weight="bold")
        _label(ax, WIDTH / 2, yi - 0.17, detail)
        if i < len(rows) - 1:
            _arrow(ax, (WIDTH / 2, yi - box / 2 - 0.02), (WIDTH / 2, yi - step + box / 2 + 0.02))
    _label(ax, WIDTH / 2, 0.12, f"total: {described['total_params']:,} trainable parameters")
    return fig


# --- Chapter 7: softmax, optimizers, epochs -----------------------------------------------------------

def softmax_bars(logits, probabilities, classes=None):
    """Logits beside the probabilities softmax makes of them, one row per class.

    Args:
        logits: z, shape (k,). probabilities: softmax(z), shape (k,), as the page computed it.
        classes: k names, or None for 0 … k−1.
    """
    z, p = np.ravel(logits).astype(float), np.ravel(probabilities).astype(float)
    if z.shape != p.shape:
        raise ValueError(f"logits and probabilities must have the same shape; got {z.shape} and {p.shape}")
    classes = list(range(len(z))) if classes is None else list(classes)
    plt.rcParams.update(figures.STYLE)
    fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 0.45 * len(z) + 1.1), sharey=True,
                                      layout="constrained")
    rows = np.arange(len(z))
    left.barh(rows, z, color=FORWARD)
    right.barh(rows, p, color=BACKWARD)
    for ax, values, title in [(left, z, "logits z"), (right, p, "softmax(z)")]:
        ax.set_title(title, fontsize=FONT)
        ax.grid(False)
        ax.tick_params(labelsize=FONT)
        ax.set_xticks([])
        ax.spines["bottom"].set_visible(False)
        span = max(values.max(), 0) - min(values.min(), 0)
        for r, v in zip(rows, values):
            ax.text(v + (0.03 * span if v >= 0 else -0.03 * span), r, _num(v), va="center",
                    ha="left" if v >= 0 else "right", fontsize=FONT)
        ax.set_xlim(min(values.min(), 0) - 0.35 * span, max(values.max(), 0) + 0.45 * span)
        ax.axvline(0, color=INK, lw=0.8)
    left.set_yticks(rows, [str(c) for c in classes])
    left.invert_yaxis()
    return fig


def optimizer_paths(loss, gradient, optimizers: dict, start, steps: int, limits):
    """Trajectories of several optimizers on the contour lines of one two-parameter loss.

    Each optimizer is driven through its public ``build(w)`` and ``step(w, g)`` (in place) on a
    float64 vector w = (w₁, w₂), from the same start, for ``steps`` steps.

    Args:
        loss: f(W1, W2) -> L, vectorised over arrays of equal shape.
        gradient: g(w) -> ∂L/∂w, shape (2,).
        optimizers: name -> a fresh optimizer object (``dlcourse.optimizers.SGD(...)`` etc.).
        start: (w₁, w₂). steps: number of updates. limits: ((w1_min, w1_max), (w2_min, w2_max)).
    Returns:
        (fig, paths): paths maps name -> array (steps + 1, 2) of the visited points.
    """
    paths = {}
    for name, optimizer in optimizers.items():
        w = np.array(start, dtype=np.float64)
        optimizer.build(w)
        visited = [w.copy()]
        for _ in range(steps):
            optimizer.step(w, np.asarray(gradient(w), dtype=np.float64))
            visited.append(w.copy())
        paths[name] = np.array(visited)
    fig, ax = figures.new(width=WIDTH, height=3.9)
    (x0, x1), (y0, y1) = limits
    g1, g2 = np.meshgrid(np.linspace(x0, x1, 160), np.linspace(y0, y1, 160))
    levels = np.quantile(loss(g1, g2), np.linspace(0.01, 0.9, 9))
    ax.contour(g1, g2, loss(g1, g2), levels=levels, colors=[figures.PALETTE[7]], linewidths=0.8)
    styles = [("-", "o", 2.0), ("--", "s", 2.6), (":", "^", 2.6)]  # paths may run close together
    for i, (name, path) in enumerate(paths.items()):
        line, marker, lw = styles[i % len(styles)]
        ax.plot(path[:, 0], path[:, 1], linestyle=line, marker=marker, markersize=4, lw=lw,
                color=figures.PALETTE[i], label=name)
    ax.plot(*start, "s", color=INK, markersize=7, zorder=4)
    ax.set(xlim=limits[0], ylim=limits[1], xlabel="w₁", ylabel="w₂")
    ax.grid(False)
    fig.legend(loc="outside lower center", ncols=len(paths), frameon=False)
    return fig, paths


def epochs_and_batches(d: int, b: int, e: int, steps_per_epoch: int):
    """How e epochs over d samples split into batches of b: one row per epoch, one box per batch.

    Each epoch takes ⌈d/b⌉ iterations, its last batch holding d − (⌈d/b⌉ − 1)·b samples, so
    i = e·⌈d/b⌉ and d·e = i·b exactly when b divides d (Eq. epochs-iterations). With more than
    six batches an epoch, the middle ones are drawn as "…" and the boxes are not to scale.

    Args:
        d: training samples. b: batch size. e: epochs.
        steps_per_epoch: the iterations per epoch the training run reported (checked against ⌈d/b⌉).
    """
    if min(d, b, e) < 1:
        raise ValueError(f"d, b and e must be positive integers; got d={d}, b={b}, e={e}")
    per_epoch = -(-d // b)
    if steps_per_epoch != per_epoch:
        raise ValueError(f"steps_per_epoch must be ceil(d / b) = {per_epoch}; got {steps_per_epoch}")
    last = d - (per_epoch - 1) * b
    shown = list(range(1, per_epoch + 1)) if per_epoch <= 6 else [1, 2, None, per_epoch]
    fig, ax = _sheet(WIDTH, 0.62 * e + 1.35)
    left, right = 1.05, WIDTH - 0.05
    # To scale when every batch is drawn; otherwise the short last batch keeps room for its number.
    shortest = last / b if per_epoch <= 6 else max(last / b, 0.8)
    units = [0.5 if k is None else (shortest if k == per_epoch else 1.0) for k in shown]
    unit = (right - left) / sum(units)
    for epoch in range(e):
        yi = 0.62 * (e - 1 - epoch) + 0.8
        _label(ax, left - 0.1, yi, f"epoch {epoch + 1}", ha="right")
        x = left
        for k, width in zip(shown, units):
            if k is None:
                _label(ax, x + width * unit / 2, yi, "…")
            else:
                iteration = epoch * per_epoch + k
                ax.add_patch(Rectangle((x, yi - 0.22), width * unit, 0.44, facecolor=figures.PALETTE[k % 2] + "66",
                                       edgecolor=INK, lw=0.8))
                if width * unit >= 0.12 * len(str(iteration)) + 0.08:
                    _label(ax, x + width * unit / 2, yi, str(iteration))
            x += width * unit
    top = 0.62 * e + 0.85
    _label(ax, WIDTH / 2, top, f"d = {d:,}, b = {b}: ⌈d/b⌉ = {per_epoch} batches an epoch")
    _label(ax, WIDTH / 2, 0.22, f"last batch {last} samples;  i = {e * per_epoch:,} iterations")
    return fig


# --- Chapter 10: the option pricer ---------------------------------------------------------------------

def pricer(features, ranges, sizes, activations):
    """Where the pricer's inputs come from and the network that maps them to C/K.

    Args:
        features: the input names in column order, e.g. ``finance.FEATURES``.
        ranges: name -> (low, high), the sampling ranges (``finance.RANGES``).
        sizes: the layer sizes, input first (``finance.PRICER_LAYERS``).
        activations: one name per non-input layer (``finance.PRICER_ACTIVATIONS``).
    """
    if len(features) != sizes[0]:
        raise ValueError(f"the network takes {sizes[0]} inputs; got {len(features)} features {features}")
    height = 0.7 * len(features) + 2.2
    fig, ax = _sheet(WIDTH, height)
    rows = np.linspace(height - 1.2, 0.8, len(features))
    for name, y in zip(features, rows):
        low, high = ranges[name]
        _box(ax, 0.75, y, f"{name}\n{low:.2g} … {high:.2g}", color=FORWARD, size=FONT)
        _arrow(ax, (1.45, y), (2.3, (height - 0.4) / 2), shrink=4)
    _label(ax, 0.75, height - 0.35, "inputs,\nuniform in", va="center")
    hidden = sizes[1:-1]
    body = "\n".join(f"Dense {n}, {a}" for n, a in zip(hidden, activations[:-1]))
    _box(ax, 3.0, (height - 0.4) / 2, f"scale to\n[−1, 1]\n\n{body}", pad=0.12)
    _arrow(ax, (3.0, (height - 0.4) / 2 - 0.8), (3.0, 0.55), shrink=0)
    _box(ax, 3.0, 0.3, f"C/K ({activations[-1]}, {sizes[-1]} unit)", color=BACKWARD)
    _label(ax, 3.0, height - 0.35, f"network {'-'.join(str(s) for s in sizes)}")
    return fig
