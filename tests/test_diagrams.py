"""The diagrams show what the objects they are drawn from hold, and stay legible on a phone."""

import re

import numpy as np
import pytest

from dlcourse import diagrams, figures, finance, scratch
from dlcourse.neuron import GATES, mcculloch_pitts, weighted_input
from dlcourse.optimizers import SGD, RMSprop


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_text())]


def svg_of(fig, name="d"):
    return figures.to_svg(fig, name)


def assert_legible(svg):
    assert figures.smallest_text_px(svg) >= figures.MIN_TEXT_PX
    assert len(svg.encode()) <= figures.MAX_BYTES


def test_neuron_carries_the_values_the_neuron_module_computes():
    w, theta = GATES["OR"]["w"], GATES["OR"]["theta"]
    x = np.array([0.0, 1.0])
    fig = diagrams.neuron(x, w, theta, gate="OR")
    shown = " ".join(texts(fig))
    assert f"a = {weighted_input(x, w, theta):.1f}" in shown
    assert f"y = {mcculloch_pitts(x, w, theta):g}" in shown
    assert "θ = 0.5" in shown and "w₂ = 1" in shown and "x₂ = 1" in shown
    assert_legible(svg_of(fig))


def test_neuron_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="same length"):
        diagrams.neuron([1.0, 0.0, 1.0], [1.0, 1.0], 0.5)


@pytest.mark.parametrize("sizes", [(2, 4, 1), (3, 2), (2, 3, 3, 1)])
def test_every_weight_of_a_small_network_is_labelled_once(sizes):
    labels = [t for t in texts(diagrams.network(sizes, label_weights=True)) if t.startswith("w")]
    expected = [f"w{diagrams.sub(j)}{diagrams.sub(k)}" for a, b in zip(sizes, sizes[1:])
                for j in range(1, b + 1) for k in range(1, a + 1)]
    assert sorted(labels) == sorted(expected)


def test_a_big_network_is_drawn_with_its_shapes_not_its_weights():
    fig = diagrams.network((20, 10, 1), shapes=True)
    shown = texts(fig)
    assert "W⁽¹⁾ (10, 20)" in shown and "W⁽²⁾ (1, 10)" in shown and "X (20, m)" in shown
    assert len(fig.axes[0].patches) == 31  # one circle per unit
    assert_legible(svg_of(fig))
    with pytest.raises(ValueError, match="at most 6 units"):
        diagrams.network((20, 10, 1), label_weights=True)
    with pytest.raises(ValueError, match="at least two"):
        diagrams.network((3,))


def test_computational_graph_writes_the_forward_values_and_the_deltas_of_backward():
    rng = np.random.default_rng(1)
    params = scratch.init_weights(20, 10, 1, seed=0, scale=0.5)
    x, y = rng.normal(size=(20, 1)), np.array([[1.0]])
    cache = scratch.forward(x, params)
    loss = scratch.loss(y, cache["A2"])
    shown = " ".join(texts(diagrams.computational_graph(x, y, params, cache, loss)))
    grads = scratch.backward(params, cache, x, y)
    delta2 = (cache["A2"] - y)[0, 0]
    assert f"ŷ − y = {delta2:.3f}".replace("-", "−") in shown.replace("-", "−")
    assert np.isclose(grads["db2"][0, 0], delta2)  # one sample: db2 is delta2
    delta1_first = grads["db1"][0, 0]  # one sample: db1 is delta1
    assert f"δ⁽¹⁾ = [{diagrams._num(delta1_first)}, …]" in shown
    assert f"ŷ) = {loss:.3f}" in shown
    with pytest.raises(ValueError, match="one sample"):
        diagrams.computational_graph(np.ones((20, 2)), y, params, cache, loss)


def test_keras_model_shows_the_described_layers():
    described = {"layers": [
        {"name": "dense", "weight_shapes": [(784, 512), (512,)], "params": 401_920, "activation": "relu"},
        {"name": "dense_1", "weight_shapes": [(512, 10), (10,)], "params": 5_130, "activation": "softmax"}],
        "total_params": 407_050}
    shown = " ".join(texts(diagrams.keras_model(described)))
    for part in ["(None, 784)", "Dense, relu  (None, 512)", "784·512 + 512 = 401,920", "(None, 10)", "407,050"]:
        assert part in shown


def test_softmax_bars_are_the_values_given():
    z = np.array([3.2, 1.3, 0.2, 0.8])
    p = np.exp(z) / np.exp(z).sum()
    fig = diagrams.softmax_bars(z, p)
    widths = [[bar.get_width() for bar in ax.patches] for ax in fig.axes]
    assert np.allclose(widths[0], z) and np.allclose(widths[1], p)
    assert_legible(svg_of(fig))


def test_optimizer_paths_are_the_optimizers_own_steps():
    def loss(a, b):
        return 0.5 * (a ** 2 + 10 * b ** 2)

    def gradient(w):
        return np.array([w[0], 10 * w[1]])

    fig, paths = diagrams.optimizer_paths(loss, gradient, {"SGD": SGD(0.1), "RMSprop": RMSprop(0.3)},
                                          (-4.0, 1.5), 5, ((-5, 1), (-2, 2)))
    w = np.array([-4.0, 1.5])
    for _ in range(5):
        w = w - 0.1 * gradient(w)  # Eq. (sgd)
    assert np.allclose(paths["SGD"][-1], w)
    assert paths["RMSprop"].shape == (6, 2)
    assert_legible(svg_of(fig))


@pytest.mark.parametrize("d, b, e", [(1000, 300, 3), (54_000, 128, 5), (512, 128, 2)])
def test_epochs_and_batches_count_the_iterations(d, b, e):
    per_epoch = -(-d // b)
    fig = diagrams.epochs_and_batches(d, b, e, per_epoch)
    shown = " ".join(texts(fig))
    assert f"i = {e * per_epoch:,} iterations" in shown
    assert f"last batch {d - (per_epoch - 1) * b} samples" in shown
    assert str(e * per_epoch) in texts(fig)  # the last box carries the last iteration's number
    assert_legible(svg_of(fig))
    with pytest.raises(ValueError, match="ceil"):
        diagrams.epochs_and_batches(d, b, e, per_epoch + 1)


def test_pricer_names_each_input_and_its_range():
    fig = diagrams.pricer(finance.FEATURES, finance.RANGES, finance.PRICER_LAYERS, finance.PRICER_ACTIVATIONS)
    shown = " ".join(texts(fig))
    for name in finance.FEATURES:
        assert name in shown
    assert "4-64-64-1" in shown
    assert_legible(svg_of(fig))
    with pytest.raises(ValueError, match="inputs"):
        diagrams.pricer(("S/K",), finance.RANGES, finance.PRICER_LAYERS, finance.PRICER_ACTIVATIONS)


def test_diagrams_are_byte_stable():
    assert svg_of(diagrams.network((2, 4, 1), label_weights=True)) == svg_of(diagrams.network((2, 4, 1), label_weights=True))


def test_unicode_indices():
    assert diagrams.sub("12") == "₁₂" and diagrams.sup("(2)") == "⁽²⁾"
    assert re.fullmatch(r"\S+", diagrams._num(-3.1e-5)) and "−" in diagrams._num(-3.1e-5)
