"""Tests for dlcourse.network.Network without Keras: layout, gradients, the scratch network, errors.

The step-for-step comparison with Keras is in test_network_vs_keras.py.
"""

import tracemalloc

import numpy as np
import pytest

from dlcourse import optimizers, scratch
from dlcourse.gradcheck import numerical_gradient, relative_error
from dlcourse.activations import relu, softmax, tanh
from dlcourse.network import Network, activation_backward


def problem(sizes, loss, m=12, seed=0, dtype=np.float64):
    """Random inputs (m, n_in) and targets (m, n_out) that fit ``loss``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, sizes[0])).astype(dtype)
    if loss == "categorical_crossentropy":
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)]
    elif loss == "binary_crossentropy":
        Y = rng.integers(0, 2, (m, sizes[-1])).astype(float)
    else:
        Y = rng.normal(size=(m, sizes[-1]))
    return X, Y.astype(dtype)


# --- layout ----------------------------------------------------------------------------

def test_weights_have_kerass_layout_and_glorot_uniform_scale():
    net = Network([784, 512, 10], ["relu", "softmax"], seed=0)
    weights = net.get_weights()
    assert [w.shape for w in weights] == [(784, 512), (512,), (512, 10), (10,)]
    assert all(w.dtype == np.float32 for w in weights)
    limit = np.sqrt(6 / (784 + 512))
    assert weights[0].max() <= limit and weights[0].min() >= -limit
    assert weights[0].std() == pytest.approx(limit / np.sqrt(3), rel=0.01)  # uniform's std
    assert not weights[1].any() and not weights[3].any()


def test_same_seed_same_weights_and_set_weights_round_trips():
    a = Network([3, 4, 2], ["tanh", "softmax"], seed=5)
    b = Network([3, 4, 2], ["tanh", "softmax"], seed=5)
    c = Network([3, 4, 2], ["tanh", "softmax"], seed=6)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    c.set_weights(a.get_weights())
    for wa, wc in zip(a.get_weights(), c.get_weights()):
        np.testing.assert_array_equal(wa, wc)


def test_get_weights_returns_copies():
    net = Network([3, 2], ["linear"], seed=0)
    net.get_weights()[0][...] = 99
    assert not (net.get_weights()[0] == 99).any()


def test_predict_gives_one_probability_row_per_sample():
    net = Network([5, 7, 3], ["relu", "softmax"], seed=0)
    X = np.random.default_rng(0).normal(size=(10_000, 5))
    A = net.predict(X, batch_size=3000)
    assert A.shape == (10_000, 3) and A.dtype == np.float32
    np.testing.assert_allclose(A.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_array_equal(A, net.predict(X))  # batching changes nothing


# --- gradients against finite differences ----------------------------------------------

GRADIENT_CASES = [
    ([4, 5, 3], ["relu", "softmax"], "categorical_crossentropy"),
    ([4, 5, 6, 3], ["tanh", "sigmoid", "softmax"], "categorical_crossentropy"),
    ([4, 5, 2], ["tanh", "sigmoid"], "binary_crossentropy"),
    ([4, 5, 2], ["sigmoid", "linear"], "mse"),
    ([4, 5, 2], ["tanh", "sigmoid"], "mse"),
    ([4, 5, 3], ["softmax", "softmax"], "mean_squared_error"),  # softmax's Jacobian, twice
]


@pytest.mark.parametrize("sizes, activations, loss", GRADIENT_CASES)
def test_gradients_match_finite_differences(sizes, activations, loss):
    net = Network(sizes, activations, seed=1, dtype="float64")
    X, Y = problem(sizes, loss)
    analytic = net.gradients(X, Y, loss=loss)
    weights = net.get_weights()
    for k, w in enumerate(weights):
        def loss_of(value, k=k):
            net.set_weights(weights[:k] + [value] + weights[k + 1:])
            return net.evaluate(X, Y, loss=loss)["loss"]
        assert relative_error(analytic[k], numerical_gradient(loss_of, w, h=1e-6)) < 1e-6, k


# --- the lecture's scratch network is a special case -----------------------------------

def scratch_params_as_keras_weights(params):
    """The scratch network's (W1, b1, W2, b2), samples-as-columns, in Keras's layout."""
    return [params["W1"].T, params["b1"].ravel(), params["W2"].T, params["b2"].ravel()]


def test_gradients_equal_scratch_backward_transposed():
    params = scratch.init_weights(6, 4, 1, seed=0, scale=0.5)
    X, Y = problem([6, 4, 1], "binary_crossentropy", m=9)
    net = Network([6, 4, 1], ["tanh", "sigmoid"], dtype="float64")
    net.set_weights(scratch_params_as_keras_weights(params))
    expected = scratch.backward(params, scratch.forward(X.T, params), X.T, Y.T)
    for got, want in zip(net.gradients(X, Y, loss="binary_crossentropy"),
                         scratch_params_as_keras_weights({k[1:]: v for k, v in expected.items()})):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-10), ("float32", 1e-4)])
def test_training_follows_the_scratch_network_step_for_step(dtype, rtol):
    # Same weights, same batches in the same order, plain SGD on the mean logistic loss.
    m, batch_size, epochs, lr = 50, 16, 3, 0.5
    params = scratch.init_weights(6, 4, 1, seed=0, scale=0.5)
    X, Y = problem([6, 4, 1], "binary_crossentropy", m=m)
    scratch_losses = []
    for _ in range(epochs):
        weighted = 0.0
        for start in range(0, m, batch_size):
            xb, yb = X[start:start + batch_size].T, Y[start:start + batch_size].T
            cache = scratch.forward(xb, params)
            weighted += xb.shape[1] * scratch.loss(yb, cache["A2"])
            params = scratch.update(params, scratch.backward(params, cache, xb, yb), lr)
        scratch_losses.append(weighted / m)

    net = Network([6, 4, 1], ["tanh", "sigmoid"], dtype=dtype)
    net.set_weights(scratch_params_as_keras_weights(scratch.init_weights(6, 4, 1, seed=0, scale=0.5)))
    history = net.fit(X, Y, epochs=epochs, batch_size=batch_size, optimizer="sgd",
                      learning_rate=lr, loss="binary_crossentropy", shuffle=False)
    for got, want in zip(net.get_weights(), scratch_params_as_keras_weights(params)):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * 1e-2)
    np.testing.assert_allclose(history.history["loss"], scratch_losses, rtol=rtol)


# --- fit, evaluate, history ------------------------------------------------------------

def separable_digits(m=400, seed=0):
    """A learnable 3-class problem: the class is the argmax of three of the 8 inputs."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 8)).astype(np.float32)
    return X, np.eye(3, dtype=np.float32)[X[:, :3].argmax(axis=1)]


def test_fit_learns_and_records_kerass_history_keys():
    X, Y = separable_digits()
    net = Network([8, 16, 3], ["relu", "softmax"], seed=0)
    history = net.fit(X[:300], Y[:300], epochs=30, batch_size=32, learning_rate=0.01, seed=0,
                      validation_data=(X[300:], Y[300:]))
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.epoch == list(range(30)) and len(history.seconds) == 30
    assert all(len(values) == 30 for values in history.history.values())
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.85
    final = net.evaluate(X[300:], Y[300:])
    assert final == {"loss": history.history["val_loss"][-1], "accuracy": history.history["val_accuracy"][-1]}


def test_mse_history_has_no_accuracy():
    X, Y = problem([3, 4, 2], "mse", m=20, dtype=np.float32)
    history = Network([3, 4, 2], ["tanh", "linear"], seed=0).fit(X, Y, epochs=2, batch_size=8, loss="mse")
    assert set(history.history) == {"loss"}


def test_epoch_loss_is_the_sample_weighted_mean_of_the_batch_losses():
    X, Y = separable_digits(m=10)
    net = Network([8, 3], ["softmax"], seed=0)
    before = Network([8, 3], ["softmax"])
    before.set_weights(net.get_weights())
    # batch_size 10 > m: one step, whose recorded loss is the loss before the step.
    history = net.fit(X, Y, epochs=1, batch_size=10, optimizer="sgd", shuffle=False)
    assert history.history["loss"][0] == pytest.approx(before.evaluate(X, Y)["loss"], rel=1e-6)
    history = before.fit(X, Y, epochs=1, batch_size=4, optimizer="sgd", learning_rate=1e-9, shuffle=False)
    # With a negligible step, batches of 4, 4, 2 average back to the whole-set loss.
    assert history.history["loss"][0] == pytest.approx(net.evaluate(X, Y)["loss"], rel=1e-2)


def test_shuffling_is_reproducible_by_seed_and_differs_from_no_shuffling():
    X, Y = separable_digits(m=64)
    runs = {}
    for key, kwargs in {"a": {"seed": 3}, "b": {"seed": 3}, "c": {"seed": 4}, "d": {"shuffle": False}}.items():
        net = Network([8, 3], ["softmax"], seed=0)
        net.fit(X, Y, epochs=2, batch_size=8, **kwargs)
        runs[key] = net.get_weights()[0]
    np.testing.assert_array_equal(runs["a"], runs["b"])
    assert not np.array_equal(runs["a"], runs["c"]) and not np.array_equal(runs["a"], runs["d"])


def test_fit_accepts_an_optimizer_instance():
    X, Y = separable_digits(m=64)
    a, b = Network([8, 3], ["softmax"], seed=0), Network([8, 3], ["softmax"], seed=0)
    a.fit(X, Y, epochs=1, batch_size=8, optimizer="adam", learning_rate=0.01, shuffle=False)
    b.fit(X, Y, epochs=1, batch_size=8, optimizer=optimizers.Adam(0.01), shuffle=False)
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])


def test_an_optimizer_instance_carries_its_state_across_fit_calls():
    # Two one-epoch calls with one Adam equal one two-epoch call, as with a compiled Keras model.
    X, Y = separable_digits(m=64)
    a, b = Network([8, 3], ["softmax"], seed=0), Network([8, 3], ["softmax"], seed=0)
    a.fit(X, Y, epochs=2, batch_size=8, optimizer="adam", learning_rate=0.01, shuffle=False)
    adam = optimizers.Adam(0.01)
    for _ in range(2):
        b.fit(X, Y, epochs=1, batch_size=8, optimizer=adam, shuffle=False)
    assert adam.iterations == 16
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])


@pytest.mark.parametrize("name, state_vectors", [("sgd", 0), ("rmsprop", 1), ("adam", 2)])
def test_training_allocates_no_parameter_sized_array_per_batch(name, state_vectors):
    # Parameters dwarf a batch's activations here: 256*256 weights against 16*256 activations.
    # Per fit call: the optimizer's state. A per-batch temporary of the parameters' size (say
    # g * g) would push the peak a whole parameter vector higher.
    X, Y = separable_digits(m=512)
    X = np.tile(X, (1, 32))
    net = Network([256, 256, 3], ["relu", "softmax"], seed=0)
    param_bytes = net.w.nbytes
    net.fit(X, Y, epochs=1, batch_size=16, optimizer=name)  # compile and warm up first
    tracemalloc.start()
    try:
        net.fit(X, Y, epochs=2, batch_size=16, optimizer=name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < (state_vectors + 0.5) * param_bytes


@pytest.mark.parametrize("shuffle", [True, False])
def test_nan_in_x_is_refused_before_any_step(shuffle):
    X, Y = separable_digits(m=64)
    X[50, 3] = np.nan  # in the fourth batch of 16 without shuffling
    net = Network([8, 5, 3], ["relu", "softmax"], seed=0)
    adam = optimizers.Adam(0.01)
    net.fit(X[:48], Y[:48], epochs=1, batch_size=16, optimizer=adam)  # some state to keep
    weights, iterations, state = net.get_weights(), adam.iterations, adam.state_copy()
    with pytest.raises(ValueError, match=r"X must be finite in float32; got NaN or inf"):
        net.fit(X, Y, epochs=2, batch_size=16, optimizer=adam, shuffle=shuffle, seed=1)
    for now, then in zip(net.get_weights(), weights):
        np.testing.assert_array_equal(now, then)
    assert adam.iterations == iterations
    for key in state:
        np.testing.assert_array_equal(getattr(adam, key), state[key])


# --- the steps, against the equations they implement ------------------------------------

def test_forward_is_a_product_a_bias_and_an_activation_per_layer():
    X, _ = problem([5, 4, 3], "categorical_crossentropy")
    net = Network([5, 4, 3], ["tanh", "softmax"], seed=0, dtype="float64")
    (W1, b1), (W2, b2) = net.params
    (Z1, A1), (Z2, A2) = net.forward(X)
    np.testing.assert_allclose(Z1, X @ W1 + b1)
    np.testing.assert_allclose(A1, tanh(Z1))
    np.testing.assert_allclose(Z2, A1 @ W2 + b2)
    np.testing.assert_allclose(A2, softmax(Z2, axis=1))


def test_relu_backward_is_zero_at_exact_zeros_as_in_tensorflow():
    Z = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_array_equal(activation_backward("relu", np.ones_like(Z), Z, relu(Z)),
                                  [[0.0, 0.0, 1.0]])


def test_softmax_backward_is_the_jacobian_product():
    rng = np.random.default_rng(1)
    Z, dA = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    A = softmax(Z, axis=1)
    jacobians = [np.diag(a) - np.outer(a, a) for a in A]
    expected = np.stack([J.T @ d for J, d in zip(jacobians, dA)])
    np.testing.assert_allclose(activation_backward("softmax", dA, Z, A), expected, atol=1e-15)


def test_softmax_of_huge_logits_stays_finite():
    net = Network([2, 3], ["softmax"], dtype="float32")
    net.set_weights([np.array([[1000, 999, -1000], [0, 0, 0]], np.float32), np.zeros(3, np.float32)])
    A = net.predict(np.array([[1.0, 0.0]]))
    assert np.isfinite(A).all() and abs(A.sum() - 1) < 1e-6


@pytest.mark.parametrize("args, message", [
    (([784], ["relu"]), r"layer_sizes must be a list \[n_in, ..., n_out\] of at least 2 ints"),
    (([784, 0], ["relu"]), r"layer_sizes\[1\] must be an int >= 1; got 0"),
    (([784, 10], ["relu", "softmax"]), r"activations must list one name per layer, 1 for layer_sizes \[784, 10\]"),
    (([784, 10], ["softplus"]), r"activation must be one of \[.*'relu'.*\]; got 'softplus'"),
])
def test_bad_architecture_is_refused(args, message):
    with pytest.raises(ValueError, match=message):
        Network(*args)


def test_bad_dtype_is_refused():
    with pytest.raises(ValueError, match=r"dtype must be one of \('float32', 'float64'\); got 'float16'"):
        Network([2, 1], ["sigmoid"], dtype="float16")


def one_hot(m, n=3):
    return np.eye(n)[np.arange(m) % n]


@pytest.fixture
def net():
    return Network([20, 4, 3], ["relu", "softmax"], seed=0)


def test_samples_as_columns_get_a_hint(net):
    with pytest.raises(ValueError, match=r"X must be \(m, n_in\) = \(m, 20\) with m >= 1; got \(20, 100\)\. "
                                         r"Did you pass samples as columns\? Use X\.T\."):
        net.fit(np.zeros((20, 100)), one_hot(100), epochs=1, batch_size=10)


def test_labels_of_the_wrong_shape_are_refused(net):
    with pytest.raises(ValueError, match=r"Y must be \(m, n_out\) = \(100, 3\) to match X; got \(100,\)"):
        net.fit(np.zeros((100, 20)), np.zeros(100), epochs=1, batch_size=10)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_inputs_are_refused(net, bad):
    X = np.zeros((10, 20))
    X[3, 4] = bad
    with pytest.raises(ValueError, match="X must be finite in float32; got NaN or inf entries"):
        net.predict(X)
    Y = one_hot(10)
    Y[0, 0] = bad
    with pytest.raises(ValueError, match="Y must be finite"):
        net.evaluate(np.zeros((10, 20)), Y)


def test_validation_data_is_checked_under_its_own_name(net):
    with pytest.raises(ValueError, match=r"X_val must be \(m, n_in\) = \(m, 20\) with m >= 1; got \(5, 19\)"):
        net.fit(np.zeros((10, 20)), one_hot(10), epochs=1, batch_size=5,
                validation_data=(np.zeros((5, 19)), one_hot(5)))
    with pytest.raises(ValueError, match="validation_data must be None or a pair"):
        net.fit(np.zeros((10, 20)), one_hot(10), epochs=1, batch_size=5, validation_data=np.zeros(3))


def test_unknown_loss_and_optimizer_are_refused(net):
    X, Y = np.zeros((10, 20)), one_hot(10)
    with pytest.raises(ValueError, match=r"loss must be one of \[.*\]; got 'hinge'"):
        net.fit(X, Y, epochs=1, batch_size=5, loss="hinge")
    with pytest.raises(ValueError, match=r"optimizer must be one of .*; got 'adagrad'"):
        net.fit(X, Y, epochs=1, batch_size=5, optimizer="adagrad")


def test_cross_entropy_needs_its_output_activation(net):
    with pytest.raises(ValueError, match="loss 'binary_crossentropy' needs a 'sigmoid' output layer; got 'softmax'"):
        net.evaluate(np.zeros((10, 20)), one_hot(10), loss="binary_crossentropy")


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0, "batch_size": 5}, "epochs must be an int >= 1; got 0"),
    ({"epochs": 1, "batch_size": 2.5}, "batch_size must be an int >= 1; got 2.5"),
])
def test_bad_epochs_and_batch_size_are_refused(net, kwargs, message):
    with pytest.raises(ValueError, match=message):
        net.fit(np.zeros((10, 20)), one_hot(10), **kwargs)


def test_set_weights_checks_count_and_shapes(net):
    weights = net.get_weights()
    with pytest.raises(ValueError, match="weights must be a list of 4 arrays"):
        net.set_weights(weights[:2])
    with pytest.raises(ValueError, match=r"weights\[0\] must be \(20, 4\); got \(4, 20\)\. Kernels are \(n_in, n_out\)"):
        net.set_weights([weights[0].T] + weights[1:])


def test_set_weights_checks_finiteness_in_the_networks_dtype(net):
    weights = net.get_weights()
    weights[1] = np.full(4, 1e39)  # finite in float64, inf in float32
    with pytest.raises(ValueError, match=r"weights\[1\] must be finite in float32"):
        net.set_weights(weights)


def test_complex_inputs_are_refused_not_truncated(net):
    with pytest.raises(ValueError, match="X must hold real numbers; got dtype complex128"):
        net.predict(np.zeros((2, 20)) + 1j)


def test_empty_data_is_refused(net):
    with pytest.raises(ValueError, match=r"X must be \(m, n_in\) = \(m, 20\) with m >= 1; got \(0, 20\)"):
        net.fit(np.zeros((0, 20)), np.zeros((0, 3)), epochs=1, batch_size=5)


def test_targets_that_are_not_one_hot_are_refused_for_categorical_crossentropy(net):
    with pytest.raises(ValueError, match="Y must have rows that sum to 1"):
        net.evaluate(np.zeros((10, 20)), np.zeros((10, 3)))
    with pytest.raises(ValueError, match=r"Y must hold probabilities in \[0, 1\]"):
        net.evaluate(np.zeros((10, 20)), 2 * one_hot(10))


def test_shuffle_must_be_a_bool(net):
    with pytest.raises(ValueError, match="shuffle must be True or False; got 'no'"):
        net.fit(np.zeros((10, 20)), one_hot(10), epochs=1, batch_size=5, shuffle="no")
