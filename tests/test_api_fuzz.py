"""Property-based fuzz of the library's public functions: a clear error or a right answer.

For every function: valid input gives a finite result that satisfies the function's defining
property (an independent formula, a bound, a limit); one invalid argument (complex, text, None,
NaN, inf, a wrong shape, an empty sample, a non-integer count) gives ValueError or TypeError
whose message names that argument. Never a silent wrong result, never another exception.

Not covered: the functions that train with Keras or load data (their arguments are checked where
they reach the functions fuzzed here).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.special
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from dlcourse import activations, data, finance, gradcheck, neuron, scratch

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
any_finite = st.floats(allow_nan=False, allow_infinity=False)
float_arrays = arrays(st.sampled_from([np.float32, np.float64]), array_shapes(max_dims=3, max_side=4),
                      elements=st.floats(width=32, allow_nan=False, allow_infinity=False))
# Values that are never numbers: each must be refused naming the argument it was passed as.
NOT_REAL = [1 + 2j, np.array([1.0, 2j]), "3", np.array(["1", "2"]), None, [[1.0], [1.0, 2.0]], object()]
NOT_FINITE = [np.nan, np.inf, -np.inf, np.array([1.0, np.nan])]
NOT_A_NUMBER = [1 + 2j, "3", None, object(), np.nan, np.inf, -np.inf]  # where one number is expected


def label(value) -> str:
    """A test id that is the same in every process (no object addresses)."""
    return re.sub(r" at 0x[0-9a-f]+", "", repr(value))[:40]


def refused(call, argument: str):
    """``call()`` raises ValueError or TypeError whose message names ``argument``."""
    with pytest.raises((ValueError, TypeError)) as error:
        call()
    assert re.search(rf"(?<![A-Za-z_]){re.escape(argument)}(?![A-Za-z_0-9])", str(error.value)), (
        f"the error does not name {argument!r}: {error.value}")


# --- activations -------------------------------------------------------------------------------

ELEMENTWISE = {
    "step": (activations.step, lambda z: (z > 0).astype(float)),
    "sigmoid": (activations.sigmoid, scipy.special.expit),
    "sigmoid_prime": (activations.sigmoid_prime, lambda z: scipy.special.expit(z) * (1 - scipy.special.expit(z))),
    "tanh": (activations.tanh, np.tanh),
    "tanh_prime": (activations.tanh_prime, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (activations.relu, lambda z: np.maximum(z, 0)),
    "relu_prime": (activations.relu_prime, lambda z: (z > 0).astype(float)),
    "linear": (activations.linear, lambda z: z),
    "linear_prime": (activations.linear_prime, np.ones_like),
}


@pytest.mark.parametrize("name", ELEMENTWISE)
@FUZZ
@given(z=float_arrays)
def test_activations_match_their_formula(name, z):
    function, formula = ELEMENTWISE[name]
    out = function(z)
    assert out.shape == z.shape and out.dtype == z.dtype and np.isfinite(out).all()
    expected = formula(z.astype(np.float64))
    assert np.allclose(out, expected, rtol=1e-6 if z.dtype == np.float32 else 1e-12, atol=1e-7)


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("bad", NOT_REAL, ids=label)
def test_activations_refuse_what_is_not_real(name, bad):
    function = ELEMENTWISE[name][0]
    refused(lambda: function(bad), "a" if name == "step" else "z")


@FUZZ
@given(z=float_arrays.filter(lambda z: z.ndim >= 1 and z.size), draw_from=st.data())
def test_softmax_is_a_probability_along_its_axis(z, draw_from):
    axis = draw_from.draw(st.integers(-z.ndim, z.ndim - 1))
    p = activations.softmax(z, axis)
    assert np.isfinite(p).all() and (p >= 0).all()
    assert np.allclose(p.sum(axis=axis), 1, rtol=1e-5)
    assert np.allclose(p, scipy.special.softmax(z.astype(np.float64), axis=axis), atol=1e-6)


@pytest.mark.parametrize("bad", NOT_REAL + [np.zeros((2, 0))], ids=label)
def test_softmax_refuses_bad_logits(bad):
    refused(lambda: activations.softmax(bad, -1), "z")


@pytest.mark.parametrize("axis", [2, -3, 0.5, "0", None])
def test_softmax_refuses_a_bad_axis(axis):
    refused(lambda: activations.softmax(np.ones((2, 3)), axis), "axis")


# --- neuron ------------------------------------------------------------------------------------

@st.composite
def neuron_inputs(draw):
    n = draw(st.integers(1, 5))
    w = draw(arrays(np.float64, n, elements=finite))
    x = draw(arrays(np.float64, draw(st.sampled_from([(n,), (n, draw(st.integers(1, 4)))])), elements=finite))
    return x, w, draw(finite)


@FUZZ
@given(neuron_inputs())
def test_neuron_functions_match_their_equations(args):
    x, w, theta = args
    a = neuron.weighted_input(x, w, theta)
    expected = np.einsum("i,i...->...", w, x) - theta
    assert np.isfinite(a).all() and np.allclose(a, expected, rtol=1e-9, atol=1e-6)
    x_tilde, w_tilde = neuron.augment(x, w, theta)
    assert np.allclose(w_tilde @ x_tilde, expected, rtol=1e-9, atol=1e-6)
    assert np.array_equal(neuron.mcculloch_pitts(x, w, theta), (a > 0).astype(float))
    assert np.allclose(neuron.logistic_neuron(x, w, theta), scipy.special.expit(a))


NEURON = {"weighted_input": neuron.weighted_input, "augment": neuron.augment,
          "mcculloch_pitts": neuron.mcculloch_pitts, "logistic_neuron": neuron.logistic_neuron}


@pytest.mark.parametrize("name", NEURON)
@pytest.mark.parametrize("argument,bad", [(a, b) for a in ("x", "w") for b in NOT_REAL + NOT_FINITE]
                         + [("theta", b) for b in NOT_A_NUMBER]
                         + [("x", np.ones(3)), ("w", np.ones((2, 2))), ("theta", np.ones(2))], ids=label)
def test_neuron_functions_refuse_bad_arguments(name, argument, bad):
    args = {"x": np.ones(2), "w": np.ones(2), "theta": 0.5, argument: bad}
    refused(lambda: NEURON[name](**args), argument)


@pytest.mark.parametrize("gate", ["XOR", "and", None, 3])
def test_truth_table_refuses_unknown_gates(gate):
    refused(lambda: neuron.truth_table(gate), "gate")


# --- finance -----------------------------------------------------------------------------------

contracts = st.fixed_dictionaries({
    "S": st.floats(1e-3, 1e6), "K": st.floats(1e-3, 1e6), "T": st.floats(0, 50),
    "r": st.floats(-0.5, 0.5), "sigma": st.floats(0, 1e308)})


@FUZZ
@given(contracts)
def test_black_scholes_prices_lie_within_the_no_arbitrage_bounds(c):
    call = finance.black_scholes_call(**c)
    put = finance.black_scholes_put(**c)
    discounted_K = c["K"] * np.exp(-c["r"] * c["T"])
    assert np.isfinite(call) and np.isfinite(put)
    tol = 1e-9 * max(c["S"], discounted_K)
    assert max(c["S"] - discounted_K, 0) - tol <= call <= c["S"] + tol
    assert max(discounted_K - c["S"], 0) - tol <= put <= discounted_K + tol


@FUZZ
@given(S=st.floats(1e-3, 1e6), K=st.floats(1e-3, 1e6), T=st.floats(1, 50), r=st.floats(-0.5, 0.5),
       sigma=st.floats(1e4, 1e308))
def test_an_unbounded_volatility_prices_the_call_at_the_spot(S, K, T, r, sigma):
    """sigma sqrt(T) -> inf: d1 -> +inf, d2 -> -inf, so C -> S (the call is worth the share)."""
    assert finance.black_scholes_call(S, K, T, r, sigma) == pytest.approx(S, rel=1e-9)


@pytest.mark.parametrize("function", [finance.black_scholes_call, finance.black_scholes_put])
@pytest.mark.parametrize("argument,bad", [(a, b) for a in ("S", "K", "T", "r", "sigma") for b in NOT_REAL + NOT_FINITE]
                         + [("S", 0.0), ("K", -1.0), ("T", -1e-9), ("sigma", -0.1), ("r", -800.0)], ids=label)
def test_black_scholes_refuses_bad_arguments(function, argument, bad):
    args = {"S": 100.0, "K": 100.0, "T": 1.0, "r": 0.01, "sigma": 0.2, argument: bad}
    refused(lambda: function(**args), argument)


@FUZZ
@given(n=st.integers(1, 50), seed=st.integers(0, 2**32))
def test_option_dataset_holds_call_prices_per_unit_strike(n, seed):
    X, y = finance.option_dataset(n, seed)
    assert X.shape == (n, 4) and y.shape == (n, 1) and np.isfinite(X).all() and np.isfinite(y).all()
    assert np.allclose(y[:, 0], finance.black_scholes_call(X[:, 0], 1.0, X[:, 1], X[:, 2], X[:, 3]))
    scaled = finance.scale_features(X)
    assert scaled.shape == X.shape and (np.abs(scaled) <= 1 + 1e-12).all()
    (X_train, y_train), (X_val, y_val) = finance.training_split(n, 3, seed)
    assert X_train.shape == (n, 4) and X_val.shape == (3, 4) and np.isfinite(X_train).all()


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "10", None, 1 + 0j])
def test_option_dataset_refuses_a_bad_count(bad):
    refused(lambda: finance.option_dataset(bad, 0), "n")


@pytest.mark.parametrize("bad", ["abc", 1.5, -1, 2j])
def test_option_dataset_refuses_a_bad_seed(bad):
    refused(lambda: finance.option_dataset(3, bad), "seed")


@pytest.mark.parametrize("argument,bad", [("n_train", 0), ("n_train", 2.5), ("n_val", -1), ("n_val", "3"),
                                          ("seed", "x")])
def test_training_split_refuses_bad_sizes(argument, bad):
    args = {"n_train": 4, "n_val": 2, "seed": 0, argument: bad}
    refused(lambda: finance.training_split(**args), argument)


@pytest.mark.parametrize("bad", NOT_REAL + NOT_FINITE + [np.ones((3, 5)), np.ones(4), np.full((2, 4), 1e308)], ids=label)
def test_scale_features_refuses_bad_contracts(bad):
    refused(lambda: finance.scale_features(bad), "X")


# --- the scratch network -----------------------------------------------------------------------

@st.composite
def scratch_problems(draw):
    n_input, n_hidden, n_output = (draw(st.integers(1, 4)) for _ in range(3))
    m = draw(st.integers(1, 6))
    params = scratch.init_weights(n_input, n_hidden, n_output, seed=draw(st.integers(0, 99)),
                                  scale=draw(st.floats(0, 10)))
    X = draw(arrays(np.float64, (n_input, m), elements=st.floats(-1e3, 1e3)))
    Y = draw(arrays(np.float64, (n_output, m), elements=st.sampled_from([0.0, 1.0])))
    return params, X, Y


@FUZZ
@given(scratch_problems())
def test_the_scratch_network_computes_its_equations(problem):
    params, X, Y = problem
    cache = scratch.forward(X, params)
    A1 = np.tanh(params["W1"] @ X + params["b1"])
    A2 = scipy.special.expit(params["W2"] @ A1 + params["b2"])
    assert np.allclose(cache["A1"], A1) and np.allclose(cache["A2"], A2)
    loss = scratch.loss(Y, cache["A2"])
    P = np.clip(A2, scratch.LOSS_EPS, 1 - scratch.LOSS_EPS)
    assert np.isfinite(loss) and loss == pytest.approx(-np.mean(np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P), axis=0)))
    assert np.array_equal(scratch.predict(X, params), (A2 > 0.5).astype(float))
    grads = scratch.backward(params, cache, X, Y)
    new = scratch.update(params, grads, 0.1)
    assert all(np.allclose(new[k], params[k] - 0.1 * grads["d" + k]) for k in scratch.PARAM_NAMES)


@pytest.mark.parametrize("argument,bad", [(a, b) for a in ("n_input", "n_hidden", "n_output")
                                          for b in (0, -1, 2.5, "3", True, None)]
                         + [("scale", b) for b in (np.nan, np.inf, -1.0, "0.01", 1j)], ids=label)
def test_init_weights_refuses_bad_sizes_and_scales(argument, bad):
    args = {"n_input": 2, "n_hidden": 3, "n_output": 1, "scale": 0.01, argument: bad}
    refused(lambda: scratch.init_weights(**args), argument)


PARAMS = scratch.init_weights(2, 3, 1, seed=0)
X2 = np.ones((2, 4))
Y2 = np.array([[0.0, 1.0, 1.0, 0.0]])


@pytest.mark.parametrize("argument,bad", [("X", b) for b in NOT_REAL + NOT_FINITE + [np.ones((4, 2)), np.ones((2, 0))]]
                         + [("params", b) for b in (None, {}, {**PARAMS, "W1": np.ones((3, 5))},
                                                    {**PARAMS, "b2": np.array([[np.nan]])}, {**PARAMS, "W2": 1j * np.ones((1, 3))})],
                         ids=label)
def test_forward_and_predict_refuse_bad_arguments(argument, bad):
    args = {"X": X2, "params": PARAMS, argument: bad}
    refused(lambda: scratch.forward(**args), argument)
    refused(lambda: scratch.predict(**args), argument)


@pytest.mark.parametrize("argument,bad", [("Y", b) for b in NOT_REAL + [np.array([[0.0, 1.0, 2.0, 0.0]]), Y2.T]]
                         + [("Y_hat", b) for b in NOT_REAL + NOT_FINITE + [np.full((1, 4), 1.5), np.full((4, 1), 0.5),
                                                                            np.zeros((1, 0))]],
                         ids=label)
def test_loss_refuses_bad_arguments(argument, bad):
    args = {"Y": Y2, "Y_hat": np.full((1, 4), 0.5), argument: bad}
    if argument == "Y" and isinstance(bad, np.ndarray) and bad.shape == (4, 1):
        argument = "Y_hat"  # which of the two is wrong? the message names both
    refused(lambda: scratch.loss(**args), argument)


@pytest.mark.parametrize("argument,bad", [("learning_rate", b) for b in (0, -0.1, np.nan, np.inf, "0.1", 1j, None)]
                         + [("grads", b) for b in (None, {}, {"dW1": 1})], ids=label)
def test_update_refuses_bad_arguments(argument, bad):
    grads = {"d" + k: np.zeros_like(v) for k, v in PARAMS.items()}
    args = {"params": PARAMS, "grads": grads, "learning_rate": 0.1, argument: bad}
    refused(lambda: scratch.update(**args), argument)


@pytest.mark.parametrize("argument,bad", [("X", np.ones((2, 0))), ("Y", np.zeros((1, 0))), ("X", 1j * X2),
                                          ("epochs", 0), ("epochs", 1.5), ("batch_size", 0), ("batch_size", "8"),
                                          ("n_hidden", 0), ("learning_rate", -1.0), ("learning_rate", np.nan),
                                          ("X_val", np.ones((3, 2))), ("Y_val", np.ones((1, 3)))], ids=label)
def test_train_refuses_bad_arguments(argument, bad):
    args = {"X": X2, "Y": Y2, "n_hidden": 2, "epochs": 1, "batch_size": 2, "learning_rate": 0.1,
            "X_val": X2, "Y_val": Y2, argument: bad}
    refused(lambda: scratch.train(**args), argument)


@FUZZ
@given(scratch_problems(), st.integers(1, 3), st.integers(1, 7))
def test_train_returns_finite_curves(problem, epochs, batch_size):
    _, X, Y = problem
    params, history = scratch.train(X, Y, 2, epochs, batch_size, 0.1, seed=0)
    assert all(len(values) == epochs and np.isfinite(values).all() for values in history.values())
    assert all(np.isfinite(value).all() for value in params.values())


# --- gradient checking -------------------------------------------------------------------------

@FUZZ
@given(a=arrays(np.float64, array_shapes(max_dims=2, max_side=4), elements=finite), draw_from=st.data())
def test_relative_error_is_a_bounded_distance(a, draw_from):
    b = draw_from.draw(arrays(np.float64, a.shape, elements=finite))
    error = gradcheck.relative_error(a, b)
    assert 0 <= error <= 1 + 1e-12 and gradcheck.relative_error(a, a) == 0


@pytest.mark.parametrize("argument,bad", [(a, b) for a in ("a", "b") for b in NOT_REAL + NOT_FINITE[:1]], ids=label)
def test_relative_error_refuses_bad_arrays(argument, bad):
    args = {"a": np.ones(2), "b": np.ones(2), argument: bad}
    refused(lambda: gradcheck.relative_error(**args), argument)


@FUZZ
@given(x=arrays(np.float64, array_shapes(max_dims=2, max_side=3), elements=st.floats(-10, 10)))
def test_numerical_gradient_of_a_quadratic(x):
    assert np.allclose(gradcheck.numerical_gradient(lambda v: float(np.sum(v**2)), x), 2 * x, atol=1e-6)


@pytest.mark.parametrize("argument,bad", [("h", b) for b in (0, -1e-5, np.nan, np.inf, "1e-5", 1j)]
                         + [("x", b) for b in NOT_REAL[:4] + NOT_FINITE] + [("f", None)], ids=label)
def test_numerical_gradient_refuses_bad_arguments(argument, bad):
    args = {"f": lambda v: float(np.sum(v)), "x": np.ones(2), "h": 1e-5, argument: bad}
    refused(lambda: gradcheck.numerical_gradient(**args), argument)


# --- data --------------------------------------------------------------------------------------

@FUZZ
@given(n=st.integers(1, 5), draw_from=st.data())
def test_preprocess_scales_and_encodes(n, draw_from):
    images = draw_from.draw(arrays(np.uint8, (n, 28, 28)))
    labels = draw_from.draw(arrays(np.uint8, (n,), elements=st.integers(0, 9)))
    x, y = data.preprocess(images, labels)
    assert np.allclose(x * 255, images.reshape(n, 784)) and np.array_equal(y.argmax(axis=1), labels)


@pytest.mark.parametrize("argument,bad", [("images", b) for b in NOT_REAL + [np.full((1, 28, 28), 256)]]
                         + [("labels", b) for b in NOT_REAL + [np.array([10]), np.array([1.5])]], ids=label)
def test_preprocess_refuses_bad_arguments(argument, bad):
    args = {"images": np.zeros((1, 28, 28), np.uint8), "labels": np.array([3]), argument: bad}
    refused(lambda: data.preprocess(**args), argument)


# --- network, optimizers, losses ---------------------------------------------------------------

from dlcourse import losses, optimizers  # noqa: E402
from dlcourse.network import Network  # noqa: E402

LOSS_FUNCTIONS = {
    "categorical_crossentropy": losses.categorical_crossentropy,
    "categorical_crossentropy_from_logits": losses.categorical_crossentropy_from_logits,
    "binary_crossentropy": losses.binary_crossentropy,
    "binary_crossentropy_from_logits": losses.binary_crossentropy_from_logits,
    "mean_squared_error": losses.mean_squared_error,
}


def network_problem(m, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, 4)), np.eye(3)[rng.integers(0, 3, m)]


@FUZZ
@given(m=st.integers(1, 9), seed=st.integers(0, 2**16), batch_size=st.integers(1, 12),
       optimizer=st.sampled_from(sorted(optimizers.OPTIMIZERS)),
       learning_rate=st.floats(1e-4, 0.1))
def test_network_trains_to_finite_weights_and_a_keras_shaped_history(m, seed, batch_size, optimizer,
                                                                    learning_rate):
    X, Y = network_problem(m, seed)
    net = Network([4, 5, 3], ["tanh", "softmax"], seed=seed)
    history = net.fit(X, Y, epochs=2, batch_size=batch_size, optimizer=optimizer,
                      learning_rate=learning_rate, seed=seed)
    assert all(np.isfinite(w).all() for w in net.get_weights())
    assert len(history.history["loss"]) == 2 and all(0 <= a <= 1 for a in history.history["accuracy"])
    P = net.predict(X)
    assert P.shape == (m, 3) and np.allclose(P.sum(axis=1), 1, atol=1e-5)


NETWORK_CALLS = {  # argument -> a call that passes one bad value as that argument
    "X": lambda net, bad: net.fit(bad, np.eye(3)[[0, 1]], epochs=1, batch_size=1),
    "Y": lambda net, bad: net.evaluate(np.zeros((2, 4)), bad),
    "X_val": lambda net, bad: net.fit(np.zeros((2, 4)), np.eye(3)[[0, 1]], epochs=1, batch_size=1,
                                      validation_data=(bad, np.eye(3)[[0, 1]])),
    "epochs": lambda net, bad: net.fit(np.zeros((2, 4)), np.eye(3)[[0, 1]], epochs=bad, batch_size=1),
    "batch_size": lambda net, bad: net.predict(np.zeros((2, 4)), batch_size=bad),
    "learning_rate": lambda net, bad: net.fit(np.zeros((2, 4)), np.eye(3)[[0, 1]], epochs=1,
                                              batch_size=1, learning_rate=bad),
    "shuffle": lambda net, bad: net.fit(np.zeros((2, 4)), np.eye(3)[[0, 1]], epochs=1, batch_size=1,
                                        shuffle=bad),
}
BAD_FOR = {
    "X": NOT_REAL + NOT_FINITE + [np.zeros((2, 5)), np.zeros(4), np.zeros((0, 4))],
    "Y": NOT_REAL + NOT_FINITE + [np.zeros((2, 3)), np.eye(3)[[0, 1]] * 2, np.zeros((2, 1))],
    "X_val": [1 + 2j, None, np.zeros((2, 5)), np.array([[np.nan] * 4] * 2)],
    "epochs": [0, -1, 1.5, True, "2", None],
    "batch_size": [0, 2.0, False, None],
    "learning_rate": NOT_A_NUMBER + [0, -0.1, True],
    "shuffle": ["no", 1, None],
}


@pytest.mark.parametrize("argument, bad", [(a, b) for a, values in BAD_FOR.items() for b in values],
                         ids=lambda value: label(value) if not isinstance(value, str) else value)
def test_network_refuses_bad_arguments_naming_them(argument, bad):
    refused(lambda: NETWORK_CALLS[argument](Network([4, 5, 3], ["tanh", "softmax"], seed=0), bad),
            argument)


@pytest.mark.parametrize("name", sorted(LOSS_FUNCTIONS))
@FUZZ
@given(m=st.integers(1, 6), n=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_losses_are_finite_and_non_negative(name, m, n, seed):
    rng = np.random.default_rng(seed)
    Y = np.eye(n)[rng.integers(0, n, m)]
    A = rng.uniform(0.01, 0.99, (m, n)) if "logits" not in name else rng.normal(size=(m, n))
    value = LOSS_FUNCTIONS[name](Y, A)
    assert isinstance(value, float) and np.isfinite(value) and value >= 0


@pytest.mark.parametrize("name", sorted(LOSS_FUNCTIONS))
@pytest.mark.parametrize("bad", [np.zeros((2, 2)), np.zeros(3), np.zeros((3, 3, 1))], ids=label)
def test_losses_refuse_mismatched_shapes_naming_the_argument(name, bad):
    second = "Z" if "logits" in name else "A"  # the prediction's name: logits or probabilities
    refused(lambda: LOSS_FUNCTIONS[name](np.eye(3), bad), "Y" if bad.ndim == 2 else second)


@pytest.mark.parametrize("name", sorted(optimizers.OPTIMIZERS))
@FUZZ
@given(g=arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e3, 1e3)))
def test_optimizer_steps_stay_finite_and_go_against_the_gradient(name, g):
    w = np.zeros_like(g)
    optimizer = optimizers.get(name, 0.01)
    optimizer.build(w)
    optimizer.step(w, g)
    assert np.isfinite(w).all() and np.all(w * g <= 0)


@pytest.mark.parametrize("name", sorted(optimizers.OPTIMIZERS))
@pytest.mark.parametrize("bad", NOT_A_NUMBER + [0, -1.0, True], ids=label)
def test_optimizers_refuse_a_bad_learning_rate(name, bad):
    refused(lambda: optimizers.get(name, bad), "learning_rate")
