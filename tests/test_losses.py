"""Tests for dlcourse.losses: values against closed forms, gradients against finite differences.

The comparisons with Keras's own losses are in test_network_vs_keras.py (they import TensorFlow).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlcourse import losses, scratch
from dlcourse.activations import sigmoid, softmax
from dlcourse.gradcheck import numerical_gradient, relative_error


def one_hot(labels, n_classes):
    return np.eye(n_classes)[labels]


logits = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(2, 5)),
                elements=st.floats(-7, 7))


def test_categorical_crossentropy_is_minus_log_of_the_true_class_probability():
    # The lecture's example (natural log here, as in Keras): p = 0.775 for the true class.
    A = np.array([[0.775, 0.126, 0.039, 0.060]])
    Y = np.array([[1.0, 0.0, 0.0, 0.0]])
    assert losses.categorical_crossentropy(Y, A) == pytest.approx(-math.log(0.775))


def test_categorical_crossentropy_is_a_mean_over_samples():
    A = np.array([[0.5, 0.5], [0.9, 0.1]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert losses.categorical_crossentropy(Y, A) == pytest.approx(-(math.log(0.5) + math.log(0.1)) / 2)


def test_cross_entropies_clip_a_zero_probability_to_epsilon_like_keras():
    Y = np.array([[0.0, 1.0]])
    A = np.array([[1.0, 0.0]])
    assert losses.categorical_crossentropy(Y, A) == pytest.approx(-math.log(losses.EPSILON))
    assert losses.binary_crossentropy(Y, A) == pytest.approx(-math.log(losses.EPSILON), rel=1e-6)


def test_binary_crossentropy_of_one_output_equals_the_scratch_networks_logistic_loss():
    rng = np.random.default_rng(0)
    A = rng.uniform(0.01, 0.99, size=(50, 1))
    Y = rng.integers(0, 2, size=(50, 1)).astype(float)
    # scratch takes samples as columns.
    assert losses.binary_crossentropy(Y, A) == pytest.approx(scratch.loss(Y.T, A.T))


def test_binary_crossentropy_and_mse_average_over_outputs_as_well_as_samples():
    Y = np.zeros((2, 4))
    A = np.full((2, 4), 0.5)
    assert losses.binary_crossentropy(Y, A) == pytest.approx(math.log(2))
    assert losses.mean_squared_error(Y, A) == pytest.approx(0.25)


@given(Z=logits, seed=st.integers(0, 2**32 - 1))
@settings(max_examples=50, deadline=None)
def test_loss_of_the_logits_equals_loss_of_the_probabilities(Z, seed):
    # |Z| <= 7 keeps every probability of 5 classes above e^-14 / 5 > 1e-7, Keras's clip.
    Y = one_hot(np.random.default_rng(seed).integers(0, Z.shape[1], len(Z)), Z.shape[1])
    assert losses.categorical_crossentropy_from_logits(Y, Z) == pytest.approx(
        losses.categorical_crossentropy(Y, softmax(Z, axis=-1)), rel=1e-9)
    assert losses.binary_crossentropy_from_logits(Y, Z) == pytest.approx(
        losses.binary_crossentropy(Y, sigmoid(Z)), rel=1e-9)


def test_the_logit_forms_stay_finite_where_probabilities_round_to_zero():
    Z = np.array([[1000.0, -1000.0]])
    Y = np.array([[0.0, 1.0]])
    assert losses.categorical_crossentropy_from_logits(Y, Z) == pytest.approx(2000.0)
    assert losses.binary_crossentropy_from_logits(Y, Z) == pytest.approx(1000.0)


@given(Z=logits, seed=st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_softmax_crossentropy_delta_is_the_gradient_with_respect_to_the_logits(Z, seed):
    Y = one_hot(np.random.default_rng(seed).integers(0, Z.shape[1], len(Z)), Z.shape[1])
    numeric = numerical_gradient(lambda z: losses.categorical_crossentropy_from_logits(Y, z), Z)
    analytic = losses.softmax_crossentropy_delta(Y, softmax(Z, axis=-1))
    assert relative_error(analytic, numeric) < 1e-7


@given(Z=logits, seed=st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_sigmoid_crossentropy_delta_is_the_gradient_with_respect_to_the_logits(Z, seed):
    Y = np.random.default_rng(seed).integers(0, 2, Z.shape).astype(float)
    numeric = numerical_gradient(lambda z: losses.binary_crossentropy_from_logits(Y, z), Z)
    analytic = losses.sigmoid_crossentropy_delta(Y, sigmoid(Z))
    assert relative_error(analytic, numeric) < 1e-7


@given(A=logits, seed=st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_mean_squared_error_prime_is_its_gradient(A, seed):
    Y = np.random.default_rng(seed).normal(size=A.shape)
    numeric = numerical_gradient(lambda a: losses.mean_squared_error(Y, a), A)
    assert relative_error(losses.mean_squared_error_prime(Y, A), numeric) < 1e-8


def test_deltas_can_write_in_place_and_keep_float32():
    A = np.array([[0.2, 0.8]], dtype=np.float32)
    Y = np.array([[0.0, 1.0]], dtype=np.float32)
    out = losses.softmax_crossentropy_delta(Y, A, out=A)
    assert out is A and out.dtype == np.float32
    np.testing.assert_allclose(A, [[0.2, -0.2]], rtol=1e-6)


@pytest.mark.parametrize("loss", [losses.categorical_crossentropy, losses.binary_crossentropy,
                                  losses.mean_squared_error, losses.softmax_crossentropy_delta])
def test_mismatched_shapes_are_refused_with_both_shapes_named(loss):
    with pytest.raises(ValueError, match=r"Y must have the shape of A, \(m, n_out\) = \(3, 1\); got \(3,\)"):
        loss(np.zeros(3), np.full((3, 1), 0.5))


def test_a_flat_prediction_vector_is_refused():
    with pytest.raises(ValueError, match=r"A must be \(m, n_out\), one sample per row; got shape \(3,\)"):
        losses.mean_squared_error(np.zeros(3), np.zeros(3))
