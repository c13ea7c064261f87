"""Tests of dlcourse.finance: the closed form against textbook values, limits and bounds."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlcourse.finance import (
    FEATURES,
    RANGES,
    black_scholes_call,
    black_scholes_put,
    option_dataset,
    price_with_network,
    scale_features,
    train_keras_pricer,
    train_network_pricer,
    training_split,
)


def N(x: float) -> float:
    """Standard normal CDF through math.erf: an implementation independent of scipy's ndtr."""
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def reference_prices(S, K, T, r, sigma) -> tuple[float, float]:
    """Call and put straight from the textbook formulas, one scalar at a time."""
    d1 = (math.log(S / K) + (r + sigma**2 / 2) * T) / (sigma * math.sqrt(T))
    d2 = d1 - sigma * math.sqrt(T)
    call = S * N(d1) - K * math.exp(-r * T) * N(d2)
    put = K * math.exp(-r * T) * N(-d2) - S * N(-d1)
    return call, put


prices = st.floats(1.0, 500.0)
maturities = st.floats(1e-3, 5.0)
rates = st.floats(-0.02, 0.15)
volatilities = st.floats(0.01, 1.0)


def test_hull_textbook_example():
    # Hull, Options, Futures and Other Derivatives: S0 = 42, K = 40, r = 10%, sigma = 20%,
    # six months gives c = 4.76 and p = 0.81 (quoted to the cent).
    assert black_scholes_call(42, 40, 0.5, 0.1, 0.2) == pytest.approx(4.76, abs=0.005)
    assert black_scholes_put(42, 40, 0.5, 0.1, 0.2) == pytest.approx(0.81, abs=0.005)


@given(prices, prices, maturities, rates, volatilities)
def test_call_and_put_match_the_scalar_textbook_formulas(S, K, T, r, sigma):
    call, put = reference_prices(S, K, T, r, sigma)
    assert black_scholes_call(S, K, T, r, sigma) == pytest.approx(call, rel=1e-9, abs=1e-9 * S)
    # The put comes from parity in the library but from its own formula here.
    assert black_scholes_put(S, K, T, r, sigma) == pytest.approx(put, rel=1e-9, abs=1e-9 * S)


@given(prices, prices, maturities, rates, volatilities)
def test_call_within_no_arbitrage_bounds(S, K, T, r, sigma):
    call = black_scholes_call(S, K, T, r, sigma)
    slack = 1e-12 * S  # rounding of the difference of two nearly equal terms
    assert max(S - K * math.exp(-r * T), 0.0) - slack <= call <= S + slack


@given(prices, prices, maturities, rates, volatilities, st.floats(0.01, 100.0))
def test_price_is_homogeneous_in_spot_and_strike(S, K, T, r, sigma, scale):
    scaled = black_scholes_call(scale * S, scale * K, T, r, sigma)
    assert scaled == pytest.approx(scale * black_scholes_call(S, K, T, r, sigma), rel=1e-9, abs=1e-12 * scale * S)


def test_deep_in_the_money_call_is_the_discounted_forward_payoff():
    S, K, T, r = 300.0, 100.0, 1.0, 0.05
    assert black_scholes_call(S, K, T, r, 0.2) == pytest.approx(S - K * math.exp(-r * T), abs=1e-5)


def test_deep_out_of_the_money_call_is_worthless():
    assert 0.0 <= black_scholes_call(20.0, 100.0, 1.0, 0.05, 0.2) < 1e-9


@pytest.mark.parametrize("S", [80.0, 100.0, 120.0])
def test_call_tends_to_intrinsic_value_at_expiry(S):
    K, r, sigma = 100.0, 0.05, 0.3
    assert black_scholes_call(S, K, 0.0, r, sigma) == max(S - K, 0.0)
    assert black_scholes_put(S, K, 0.0, r, sigma) == max(K - S, 0.0)
    # Approaching from T > 0: the time value shrinks like sigma sqrt(T) near the money.
    assert black_scholes_call(S, K, 1e-10, r, sigma) == pytest.approx(max(S - K, 0.0), abs=1e-3)


def test_zero_volatility_gives_the_discounted_forward_payoff_without_warnings():
    # pyproject turns warnings into errors, so a 0/0 inside would fail this test.
    T, r = np.array([0.5, 0.5]), 0.04
    calls = black_scholes_call(np.array([110.0, 90.0]), 100.0, T, r, 0.0)
    np.testing.assert_allclose(calls, [110.0 - 100.0 * math.exp(-r * 0.5), 0.0])


def test_call_increases_with_spot_and_volatility():
    S = np.linspace(50.0, 150.0, 201)
    assert np.all(np.diff(black_scholes_call(S, 100.0, 1.0, 0.03, 0.25)) > 0)
    sigma = np.linspace(0.05, 1.0, 96)
    assert np.all(np.diff(black_scholes_call(100.0, 100.0, 1.0, 0.03, sigma)) > 0)


def test_arguments_broadcast_to_a_grid():
    grid = black_scholes_call(np.array([[90.0], [100.0], [110.0]]), 100.0, np.array([0.25, 0.5, 1.0, 2.0]), 0.02, 0.2)
    assert grid.shape == (3, 4)
    assert grid[1, 2] == pytest.approx(black_scholes_call(100.0, 100.0, 1.0, 0.02, 0.2))
    assert np.ndim(black_scholes_call(100.0, 100.0, 1.0, 0.02, 0.2)) == 0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("sigma", -0.2, "sigma must be finite and non-negative"),
        ("T", -1.0, "T must be finite and non-negative"),
        ("S", 0.0, "S must be finite and positive"),
        ("K", -5.0, "K must be finite and positive"),
        ("r", float("nan"), "r must be finite"),
        ("sigma", [0.2, float("inf")], "sigma must be finite"),
        ("S", "abc", "S must hold real numbers"),
        ("sigma", 0.2 + 0.1j, "sigma must hold real numbers"),
        ("r", -1600.0, r"r \* T must be at least -700"),
    ],
)
def test_bad_input_names_the_argument(name, value, message):
    arguments = {"S": 42.0, "K": 40.0, "T": 0.5, "r": 0.1, "sigma": 0.2}
    arguments[name] = value
    with pytest.raises(ValueError, match=message):
        black_scholes_call(**arguments)
    with pytest.raises(ValueError, match=message):
        black_scholes_put(**arguments)


def test_shapes_that_do_not_broadcast_are_rejected():
    with pytest.raises(ValueError, match=r"S, K, T, r, sigma must broadcast to one shape; got S\(2,\), K\(3,\)"):
        black_scholes_call([100.0, 110.0], [90.0, 100.0, 110.0], 1.0, 0.0, 0.2)


def test_option_dataset_shapes_ranges_and_targets():
    X, y = option_dataset(2000, seed=3)
    assert X.shape == (2000, len(FEATURES)) and y.shape == (2000, 1)
    for column, name in enumerate(FEATURES):
        low, high = RANGES[name]
        assert low <= X[:, column].min() and X[:, column].max() <= high
        # Uniform sampling: 2000 draws cover most of the range.
        assert X[:, column].max() - X[:, column].min() > 0.95 * (high - low)
    moneyness, T, r, sigma = X.T
    strike = 250.0  # homogeneity: the price for any strike is K times the target
    np.testing.assert_allclose(strike * y[:, 0], black_scholes_call(strike * moneyness, strike, T, r, sigma), rtol=1e-12, atol=1e-12)


def test_option_dataset_is_deterministic_in_its_seed():
    X1, y1 = option_dataset(100, seed=7)
    X2, y2 = option_dataset(100, seed=7)
    X3, _ = option_dataset(100, seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_option_dataset_rejects_a_bad_size(n):
    with pytest.raises(ValueError, match="n must be a positive integer"):
        option_dataset(n, seed=0)


def test_scale_features_maps_the_sampling_ranges_onto_minus_one_one():
    low, high = np.array([RANGES[name] for name in FEATURES]).T
    np.testing.assert_allclose(scale_features(np.vstack([low, high, (low + high) / 2])), [[-1] * 4, [1] * 4, [0] * 4], atol=1e-12)


def test_scale_features_rejects_contracts_as_columns():
    X, _ = option_dataset(10, seed=0)
    with pytest.raises(ValueError, match=r"X must be \(n, 4\).*got shape \(4, 10\)"):
        scale_features(X.T)


def test_training_split_cuts_one_data_set_in_two():
    (X_train, y_train), (X_val, y_val) = training_split(30, 10, seed=5)
    X, y = option_dataset(40, seed=5)
    assert X_train.dtype == np.float32 and y_val.dtype == np.float32
    assert X_train.shape == (30, 4) and X_val.shape == (10, 4) and y_train.shape == (30, 1)
    np.testing.assert_allclose(np.vstack([X_train, X_val]), scale_features(X), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.vstack([y_train, y_val]), y, rtol=1e-6)


def forward_by_hand(weights, X):
    """relu, relu, linear over [-1, 1]-scaled inputs: the pricer written out, to check the library."""
    low, high = np.array([RANGES[name] for name in FEATURES]).T
    A = 2 * (X - low) / (high - low) - 1
    W1, b1, W2, b2, W3, b3 = weights
    return np.maximum(np.maximum(A @ W1 + b1, 0) @ W2 + b2, 0) @ W3 + b3


def assert_learned(history, y_val):
    # Far better than always answering the mean price, the best constant under MSE.
    assert history["val_loss"][-1] < 0.05 * y_val.var()  # R^2 above 0.95 after 3 short epochs
    assert history["loss"][-1] < history["loss"][0]


@pytest.mark.slow
def test_network_pricer_learns_and_is_deterministic():
    first = train_network_pricer.uncached(2000, 500, epochs=3, batch_size=64, learning_rate=3e-3, seed=1)
    second = train_network_pricer.uncached(2000, 500, epochs=3, batch_size=64, learning_rate=3e-3, seed=1)
    assert set(first["history"]) == {"loss", "val_loss"}
    assert first["history"] == second["history"]
    _, (X_val, y_val) = training_split(2000, 500, seed=1)
    assert_learned(first["history"], y_val)
    # The recorded validation loss is the MSE of the returned weights on the validation part.
    X, y = option_dataset(2500, seed=1)
    prices = price_with_network(first["weights"], X[2000:])
    assert prices.shape == (500, 1)
    assert np.mean((prices - y[2000:]) ** 2) == pytest.approx(first["history"]["val_loss"][-1], rel=1e-3)
    np.testing.assert_allclose(prices, forward_by_hand(first["weights"], X[2000:]), rtol=1e-4, atol=1e-6)


@pytest.mark.keras
@pytest.mark.slow
def test_keras_pricer_learns_and_is_deterministic():
    first = train_keras_pricer.uncached(2000, 500, epochs=3, batch_size=64, learning_rate=3e-3, seed=1)
    second = train_keras_pricer.uncached(2000, 500, epochs=3, batch_size=64, learning_rate=3e-3, seed=1)
    history = first["history"]
    assert set(history) == {"loss", "mae", "val_loss", "val_mae"}
    assert all(len(values) == 3 for values in history.values())
    assert history == second["history"]
    _, (_, y_val) = training_split(2000, 500, seed=1)
    assert_learned(history, y_val)
    assert [w.shape for w in first["weights"]] == [(4, 64), (64,), (64, 64), (64,), (64, 1), (1,)]
    # Keras validated on exactly our validation part: its MAE there is that of its weights.
    X, y = option_dataset(2500, seed=1)
    errors = np.abs(price_with_network(first["weights"], X[2000:]) - y[2000:])
    assert errors.mean() == pytest.approx(history["val_mae"][-1], rel=1e-3)
