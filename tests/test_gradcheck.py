import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse import gradcheck, scratch


def test_numerical_gradient_of_a_known_function():
    # f(x) = sum(x^3) has gradient 3x^2; central differences are exact up to O(h^2).
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = gradcheck.numerical_gradient(lambda v: float(np.sum(v ** 3)), x)
    np.testing.assert_allclose(grad, 3 * x ** 2, rtol=1e-9)


def test_numerical_gradient_leaves_its_input_unchanged():
    x = np.array([1.0, 2.0])
    gradcheck.numerical_gradient(lambda v: float(v @ v), x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_relative_error_properties():
    a = np.array([1.0, 2.0, 3.0])
    assert gradcheck.relative_error(a, a) == 0.0
    assert gradcheck.relative_error(a, -a) == 1.0
    assert gradcheck.relative_error(1e-9 * a, 1e-9 * a * (1 + 1e-6)) == pytest.approx(5e-7)
    assert gradcheck.relative_error(np.zeros(2), np.zeros(2)) == 0.0


def test_bad_arguments_are_caught():
    with pytest.raises(ValueError, match="same shape"):
        gradcheck.relative_error(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="h must be a positive finite number"):
        gradcheck.numerical_gradient(float, np.zeros(1), h=0)


# Weights of scale 0.5-1 keep every gradient array well away from zero. With the lecture's
# 0.01 on tiny random problems, db1 can be ~1e-6, and the finite differences' own rounding
# (~1e-11 absolute at h = 1e-5) then dominates the relative error: a limit of the check,
# not of `backward`; the lecture-sized check below covers that scale.
@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 3), st.integers(1, 12),
       st.sampled_from([0.5, 1.0]), st.integers(0, 2**32 - 1))
def test_backward_matches_central_differences(n_input, n_hidden, n_output, m, scale, seed):
    rng = np.random.default_rng(seed)
    params = scratch.init_weights(n_input, n_hidden, n_output, seed=seed, scale=scale)
    # Non-zero biases, so their gradients are tested away from the initial point too.
    params["b1"] = rng.normal(size=(n_hidden, 1)) * scale
    params["b2"] = rng.normal(size=(n_output, 1)) * scale
    X = rng.normal(size=(n_input, m))
    Y = rng.integers(0, 2, size=(n_output, m)).astype(float)
    errors = gradcheck.check_gradients(params, X, Y)
    assert max(errors.values()) < 1e-7, errors


def test_backward_matches_central_differences_on_the_lectures_network():
    from dlcourse.data import lecture_classification

    X_train, Y_train, _, _ = lecture_classification()
    params = scratch.init_weights(20, 10, 1, seed=0)
    errors = gradcheck.check_gradients(params, X_train[:, :50], Y_train[:, :50])
    assert max(errors.values()) < 1e-7, errors


def test_a_wrong_gradient_is_detected():
    # The check must be able to fail: the lecture's W^[2] gradient without the transpose
    # of A^[1] cannot even be formed, but dropping tanh' (a real slip) gives a wrong dW1.
    params = scratch.init_weights(4, 3, 1, seed=0, scale=1.0)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(4, 10)), rng.integers(0, 2, size=(1, 10)).astype(float)
    cache = scratch.forward(X, params)
    wrong_dW1 = (params["W2"].T @ (cache["A2"] - Y)) @ X.T / 10
    numeric = gradcheck.numerical_gradient(
        lambda W1: scratch.loss(Y, scratch.forward(X, {**params, "W1": W1})["A2"]), params["W1"])
    assert gradcheck.relative_error(wrong_dW1, numeric) > 1e-2
