import numpy as np
import pytest

from dlcourse.neuron import GATES, augment, logistic_neuron, mcculloch_pitts, truth_table, weighted_input


def test_weighted_input_is_the_sum_minus_threshold():
    assert weighted_input([1.0, 2.0], [0.5, -1.0], 0.25) == pytest.approx(0.5 - 2.0 - 0.25)


def test_threshold_as_an_extra_synapse_gives_the_same_weighted_input():
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(4, 7)), rng.normal(size=4)
    x_tilde, w_tilde = augment(x, w, 0.3)
    assert x_tilde.shape == (5, 7) and np.all(x_tilde[-1] == 1) and w_tilde[-1] == -0.3
    np.testing.assert_allclose(w_tilde @ x_tilde, weighted_input(x, w, 0.3))


@pytest.mark.parametrize(
    "gate, expected", [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("NOT", [1, 0])]
)
def test_gates_truth_tables(gate, expected):
    X, y = truth_table(gate)
    assert X.shape == (len(GATES[gate]["w"]), len(expected))
    assert y.tolist() == expected


def test_step_fires_only_strictly_above_threshold():
    assert mcculloch_pitts([1.0], [1.0], 1.0) == 0.0  # a = 0 -> silent (Eq. step: a <= 0)
    assert mcculloch_pitts([1.0], [1.0], 0.999) == 1.0


def test_logistic_neuron_is_one_half_on_the_decision_line_and_differentiable():
    assert logistic_neuron([1.0, 0.5], [1.0, 1.0], 1.5) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "x, w, message",
    [
        (np.ones((3, 2)), np.ones(2), r"x must be \(n,\) or \(n, m\) with n = 2"),
        (np.ones(2), np.ones((2, 1)), r"w must be a vector"),
        (np.array([np.nan, 1.0]), np.ones(2), "finite"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(x, w, message):
    with pytest.raises(ValueError, match=message):
        weighted_input(x, w, 0.0)


def test_unknown_gate():
    with pytest.raises(ValueError, match="gate must be one of"):
        truth_table("XOR")
