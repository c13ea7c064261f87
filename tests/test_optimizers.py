"""Tests for dlcourse.optimizers: the compiled updates against the equations, written plainly."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlcourse import optimizers

gradient_sequences = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 40)),
                            elements=st.floats(-10, 10))


def reference(name, w, gradients, lr):
    """Keras's update rules, one NumPy line per equation, in float64."""
    w, m, v = w.copy(), np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(gradients, start=1):
        if name == "sgd":
            w = w - lr * g
        elif name == "rmsprop":
            v = 0.9 * v + 0.1 * g**2
            w = w - lr * g / np.sqrt(v + 1e-7)
        else:
            alpha = lr * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
            m = m + (g - m) * 0.1
            v = v + (g**2 - v) * 0.001
            w = w - alpha * m / (np.sqrt(v) + 1e-7)
    return w


def run(name, w, gradients, lr, dtype):
    optimizer = optimizers.get(name, lr)
    w = w.astype(dtype)
    optimizer.build(w)
    for g in gradients:
        optimizer.step(w, g.astype(dtype))
    return w, optimizer


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam"])
@given(gradients=gradient_sequences, seed=st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_float64_updates_follow_kerass_equations(name, gradients, seed):
    w0 = np.random.default_rng(seed).normal(size=gradients.shape[1])
    w, optimizer = run(name, w0, gradients, 0.01, np.float64)
    np.testing.assert_allclose(w, reference(name, w0, gradients, 0.01), rtol=1e-12, atol=1e-14)
    assert optimizer.iterations == len(gradients)


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam"])
def test_float32_stays_float32_and_close_to_float64(name):
    rng = np.random.default_rng(1)
    w0, gradients = rng.normal(size=1000), rng.normal(size=(20, 1000))
    w, optimizer = run(name, w0, gradients, 0.01, np.float32)
    assert w.dtype == np.float32
    assert all(state.dtype == np.float32 for state in vars(optimizer).values() if isinstance(state, np.ndarray))
    np.testing.assert_allclose(w, reference(name, w0, gradients, 0.01), rtol=1e-5, atol=1e-6)


def test_first_rmsprop_step_is_lr_over_root_one_minus_rho_for_large_gradients():
    # v1 = (1 - rho) g^2, so the step is lr g / sqrt((1 - rho) g^2 + eps) ~ lr sign(g) / sqrt(0.1).
    w = np.zeros(2)
    w, _ = run("rmsprop", w, np.array([[5.0, -3.0]]), 0.001, np.float64)
    np.testing.assert_allclose(w, [-0.001 / np.sqrt(0.1), 0.001 / np.sqrt(0.1)], rtol=1e-6)


def test_first_adam_step_is_lr_times_the_sign_of_the_gradient():
    # Bias correction makes alpha m1 / sqrt(v1) = lr g / |g|; epsilon, added to
    # sqrt(v1) = 0.03 |g|, shortens it by a relative 1e-7 / (0.03 |g|) = 1e-6 for |g| = 3.
    w = np.zeros(2)
    w, _ = run("adam", w, np.array([[5.0, -3.0]]), 0.001, np.float64)
    np.testing.assert_allclose(w, [-0.001, 0.001], rtol=2e-6)


def test_keras_defaults():
    rms, adam = optimizers.RMSprop(), optimizers.Adam()
    assert (optimizers.SGD().learning_rate, rms.learning_rate, adam.learning_rate) == (0.01, 0.001, 0.001)
    assert (rms.rho, rms.epsilon) == (0.9, 1e-7)
    assert (adam.beta_1, adam.beta_2, adam.epsilon) == (0.9, 0.999, 1e-7)


def test_unknown_optimizer_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"optimizer must be one of \['adam', 'rmsprop', 'sgd'\]; got 'adagrad'"):
        optimizers.get("adagrad", 0.01)


@pytest.mark.parametrize("lr", [0, -1, float("nan"), float("inf"), True, "0.1"])
def test_learning_rate_must_be_positive_and_finite(lr):
    with pytest.raises(ValueError, match="learning_rate must be a positive finite number"):
        optimizers.get("sgd", lr)


def test_rho_must_be_a_fraction():
    with pytest.raises(ValueError, match=r"rho must be a number in \[0, 1\); got 1.5"):
        optimizers.RMSprop(rho=1.5)


def test_step_before_build_and_mismatched_vectors_are_refused():
    optimizer = optimizers.RMSprop()
    w = np.zeros(4, np.float32)
    with pytest.raises(ValueError, match=r"call build\(w\) before step"):
        optimizer.step(w, w)
    optimizer.build(w)
    with pytest.raises(ValueError, match=r"g must be a \(4,\) float32 vector, as passed to build; got float64 \(4,\)"):
        optimizer.step(w, np.zeros(4))
    with pytest.raises(ValueError, match=r"w must be a 1-D float array \(n_params,\); got float32 array of shape \(2, 2\)"):
        optimizer.build(np.zeros((2, 2), np.float32))


@pytest.mark.parametrize("name", ["rmsprop", "adam"])
def test_running_means_that_decay_below_the_smallest_normal_float_become_zero(name):
    # A gradient that is 0 from some step on lets v (and Adam's m) decay geometrically; below
    # float32's smallest normal number they are set to 0, as under TensorFlow's
    # flush-to-zero, instead of crawling through subnormals, which the CPU computes slowly.
    tiny = np.finfo(np.float32).tiny
    gradients = np.zeros((1200, 3))
    gradients[0] = [1e-3, -1e-3, 0.0]
    w, optimizer = run(name, np.ones(3), gradients[:1], 0.001, np.float32)
    before = w.copy()
    for g in gradients[1:]:
        optimizer.step(w, g.astype(np.float32))
        assert not np.any((optimizer.v > 0) & (optimizer.v < tiny))
        if name == "adam":
            assert not np.any((optimizer.m != 0) & (np.abs(optimizer.m) < tiny))
    if name == "rmsprop":  # 0.9**k * 1e-7 falls below 1.2e-38 after about 650 steps
        np.testing.assert_array_equal(optimizer.v, 0)
        np.testing.assert_array_equal(w, before)  # and a zero gradient moves nothing
    else:  # Adam's m decays as 0.9**k too; v, at 0.999**k, is still normal after 1,200
        np.testing.assert_array_equal(optimizer.m, 0)
    assert np.isfinite(w).all()


def test_a_nan_gradient_is_not_flushed_away():
    w, optimizer = run("rmsprop", np.ones(2), np.array([[np.nan, 1.0]]), 0.001, np.float32)
    assert np.isnan(optimizer.v[0]) and np.isnan(w[0])
