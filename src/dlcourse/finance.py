"""Black-Scholes prices, and a network that learns them (the Option-pricing chapter).

The closed form is the reference: it generates the data set the networks are trained on
and it is what their errors are measured against. Prices are per unit of the underlying's
currency; the data set uses the homogeneity of the price in (S, K) to remove one input.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

# The data set's sampling ranges, in the order of its feature columns. Moneyness S/K spans
# 30% either side of the money; maturities run from one week to two years, where the
# shortest ones are the hard part of the surface (see the chapter's error heatmap).
FEATURES = ("S/K", "T", "r", "sigma")
RANGES = {
    "S/K": (0.7, 1.3),
    "T": (1 / 52, 2.0),
    "r": (0.0, 0.06),
    "sigma": (0.1, 0.5),
}


def _validated(S, K, T, r, sigma) -> tuple[np.ndarray, ...]:
    """The five inputs as float arrays broadcast to one shape, or a ValueError naming the bad one."""
    arrays = {}
    for name, value, rule, ok in (
        ("S", S, "positive", lambda a: a > 0),
        ("K", K, "positive", lambda a: a > 0),
        ("T", T, "non-negative (years)", lambda a: a >= 0),
        ("r", r, "finite", lambda a: np.ones_like(a, dtype=bool)),
        ("sigma", sigma, "non-negative (annual volatility)", lambda a: a >= 0),
    ):
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{name} must be a number or an array of numbers; got {value!r}") from error
        bad = ~np.isfinite(array) | ~ok(np.nan_to_num(array))
        if bad.any():
            first = float(array.flat[int(np.flatnonzero(bad)[0])])
            raise ValueError(
                f"{name} must be finite and {rule}; got {first!r} "
                f"({int(bad.sum())} bad value(s) out of {array.size})"
            )
        arrays[name] = array
    try:
        return tuple(np.broadcast_arrays(*arrays.values()))
    except ValueError as error:
        shapes = ", ".join(f"{name}{array.shape}" for name, array in arrays.items())
        raise ValueError(f"S, K, T, r, sigma must broadcast to one shape; got {shapes}") from error


def black_scholes_call(S, K, T, r, sigma):
    """Price of a European call under Black-Scholes.

    Implements Eq. `eq:bs-call` with `eq:bs-d` (Option-pricing chapter):
    ``C = S N(d1) - K exp(-r T) N(d2)``, ``d1 = (ln(S/K) + (r + sigma^2/2) T) / (sigma sqrt(T))``,
    ``d2 = d1 - sigma sqrt(T)``, with N the standard normal CDF.

    Arguments are numbers or array-likes that NumPy broadcasts against each other
    (e.g. S of shape (m, 1) and T of shape (1, n) give an (m, n) grid of prices):

    - S: spot price of the underlying, > 0.
    - K: strike, > 0.
    - T: time to maturity in years, >= 0.
    - r: continuously compounded risk-free rate (may be negative).
    - sigma: annual volatility, >= 0.

    Returns the prices, of the broadcast shape (a NumPy float for all-scalar inputs).
    Where sigma sqrt(T) = 0 the underlying's path is certain and the price is the limit
    ``max(S - K exp(-r T), 0)`` (the intrinsic value ``max(S - K, 0)`` at T = 0).
    Raises ValueError for a NaN/inf anywhere, S or K <= 0, T or sigma < 0, or shapes
    that do not broadcast.
    """
    S, K, T, r, sigma = _validated(S, K, T, r, sigma)
    discounted_K = K * np.exp(-r * T)
    vol_sqrt_T = sigma * np.sqrt(T)
    random = vol_sqrt_T > 0
    # A stand-in of 1 where the path is certain keeps the division clean; those entries are
    # replaced by the limit below. For vanishing but positive sigma sqrt(T), d1 and d2 may
    # overflow to +-inf, which is their correct limit (N(+-inf) = 1 or 0).
    spread = np.where(random, vol_sqrt_T, 1.0)
    with np.errstate(over="ignore"):
        d1 = (np.log(S / K) + (r + 0.5 * sigma**2) * T) / spread
    d2 = d1 - spread
    price = S * ndtr(d1) - discounted_K * ndtr(d2)
    return np.where(random, price, np.maximum(S - discounted_K, 0.0))[()]


def black_scholes_put(S, K, T, r, sigma):
    """Price of a European put, from the call by put-call parity.

    Implements Eq. `eq:put-call-parity` (Option-pricing chapter): ``P = C - S + K exp(-r T)``.
    Arguments, broadcasting, result shape and errors are those of `black_scholes_call`.
    """
    call = black_scholes_call(S, K, T, r, sigma)
    S, K, T, r, sigma = _validated(S, K, T, r, sigma)
    return (call - S + K * np.exp(-r * T))[()]


def option_dataset(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A data set of call prices: n option contracts sampled uniformly over `RANGES`.

    Uses the homogeneity of Eq. `eq:homogeneity` (Option-pricing chapter),
    ``C(S, K, T, r, sigma) = K C(S/K, 1, T, r, sigma)``: pricing with K = 1 covers every
    strike, so the inputs are four numbers instead of five.

    - n: number of contracts, >= 1.
    - seed: seed of ``numpy.random.default_rng``; the same (n, seed) gives the same data.

    Returns ``(X, y)``: X of shape (n, 4), columns in the order of `FEATURES`
    (moneyness S/K, maturity T in years, rate r, volatility sigma), and y of shape (n, 1),
    the call price divided by the strike, C/K.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer (number of contracts); got {n!r}")
    rng = np.random.default_rng(seed)
    low, high = np.array([RANGES[name] for name in FEATURES]).T
    X = rng.uniform(low, high, size=(n, len(FEATURES)))
    moneyness, T, r, sigma = X.T
    y = black_scholes_call(moneyness, 1.0, T, r, sigma).reshape(n, 1)
    return X, y
