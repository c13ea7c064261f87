import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlcourse import activations as act

finite = st.floats(-30, 30, allow_nan=False)
away_from_zero = finite.filter(lambda z: abs(z) > 1e-3)

PAIRS = [
    (act.sigmoid, act.sigmoid_prime, finite),
    (act.tanh, act.tanh_prime, finite),
    (act.relu, act.relu_prime, away_from_zero),
    (act.linear, act.linear_prime, finite),
]


@pytest.mark.parametrize("f, f_prime, points", PAIRS, ids=lambda p: getattr(p, "__name__", ""))
def test_derivative_matches_central_difference(f, f_prime, points):
    @given(points)
    def check(z):
        h = 1e-6
        numeric = (f(np.array(z + h)) - f(np.array(z - h))) / (2 * h)
        assert f_prime(np.array(z)) == pytest.approx(numeric, abs=1e-7)

    check()


def test_sigmoid_matches_its_definition_where_that_is_safe():
    z = np.linspace(-20, 20, 101)
    np.testing.assert_allclose(act.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15)


def test_sigmoid_is_stable_for_huge_inputs():
    # pytest turns any overflow RuntimeWarning into an error.
    z = np.array([-1e4, -800.0, 0.0, 800.0, 1e4])
    s = act.sigmoid(z)
    np.testing.assert_array_equal(s, [0.0, 0.0, 0.5, 1.0, 1.0])
    assert np.all(np.isfinite(act.sigmoid_prime(z)))


def test_tanh_is_a_rescaled_sigmoid():
    # tanh(z) = 2 sigma(2z) - 1: the two differ only in scale, as the lecture says.
    z = np.linspace(-5, 5, 41)
    np.testing.assert_allclose(act.tanh(z), 2 * act.sigmoid(2 * z) - 1, atol=1e-15)


def test_step_is_the_mcculloch_pitts_threshold():
    np.testing.assert_array_equal(act.step([-1.0, 0.0, 1e-12, 3.0]), [0.0, 0.0, 1.0, 1.0])


def test_relu_prime_is_zero_at_zero_like_keras():
    np.testing.assert_array_equal(act.relu_prime([-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0])


@pytest.mark.parametrize("f", [act.step, act.sigmoid, act.sigmoid_prime, act.tanh,
                               act.tanh_prime, act.relu, act.relu_prime, act.linear,
                               act.linear_prime])
def test_elementwise_functions_keep_shape_and_float32(f):
    z = np.arange(-6, 6, dtype=np.float32).reshape(2, 3, 2)
    out = f(z)
    assert out.shape == z.shape
    assert out.dtype == np.float32


def test_integer_input_becomes_float64():
    assert act.sigmoid(np.array([0, 1])).dtype == np.float64


def test_linear_does_not_alias_its_input():
    z = np.zeros(3)
    act.linear(z)[0] = 5.0
    assert z[0] == 0.0


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_sums_to_one_along_axis_and_survives_large_logits(axis):
    z = np.array([[1000.0, -1000.0, 0.5], [999.0, 3.0, -0.5]])
    p = act.softmax(z, axis=axis)
    np.testing.assert_allclose(p.sum(axis=axis), 1.0)
    assert np.all(np.isfinite(p))


def test_softmax_agrees_with_the_naive_formula_on_small_logits():
    z = np.random.default_rng(0).normal(size=(4, 7))
    expected = np.exp(z) / np.exp(z).sum(axis=0, keepdims=True)
    np.testing.assert_allclose(act.softmax(z, axis=0), expected, rtol=1e-14)


def test_softmax_of_two_logits_is_a_sigmoid_of_their_difference():
    z = np.array([[2.0, -1.0], [0.5, 4.0]])
    np.testing.assert_allclose(act.softmax(z, axis=0)[0], act.sigmoid(z[0] - z[1]))
