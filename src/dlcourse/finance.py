"""Black-Scholes prices, and a network that learns them (the Option-pricing chapter).

The closed form is the reference: it generates the data set the networks are trained on
and it is what their errors are measured against. Prices are per unit of the underlying's
currency; the data set uses the homogeneity of the price in (S, K) to remove one input.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from threadpoolctl import threadpool_limits

from dlcourse.cache import cached
from dlcourse.keras_models import seed_everything, train
from dlcourse.network import Network

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

# The pricer: 4 scaled inputs, two hidden ReLU layers, one linear output (the price C/K).
PRICER_LAYERS = (4, 64, 64, 1)
PRICER_ACTIVATIONS = ("relu", "relu", "linear")


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


def scale_features(X: np.ndarray) -> np.ndarray:
    """Map each column of X from its sampling range in `RANGES` linearly onto [-1, 1].

    The raw columns differ in scale by a factor of 30 (rates of a few percent next to
    maturities of up to two years); on a common scale one learning rate suits every weight.
    The map is fixed by the stated ranges, not fitted to data, so it needs no stored state.

    - X: (n, 4), columns in the order of `FEATURES`.

    Returns an array of X's shape, float64.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != len(FEATURES):
        raise ValueError(
            f"X must be (n, {len(FEATURES)}) with columns {FEATURES}; got shape {X.shape}. "
            "Did you pass contracts as columns?"
        )
    low, high = np.array([RANGES[name] for name in FEATURES]).T
    return 2.0 * (X - low) / (high - low) - 1.0


def training_split(n_train: int, n_val: int, seed: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The pricers' training and validation data: one `option_dataset` cut in two, scaled.

    - n_train, n_val: numbers of contracts in each part.
    - seed: the data set's seed.

    Returns ``((X_train, y_train), (X_val, y_val))``, float32: X parts (n_train, 4) and
    (n_val, 4) passed through `scale_features`, y parts (n_train, 1) and (n_val, 1), C/K.
    """
    X, y = option_dataset(n_train + n_val, seed)
    X = scale_features(X).astype(np.float32)
    y = y.astype(np.float32)
    return (X[:n_train], y[:n_train]), (X[n_train:], y[n_train:])


@cached
def train_keras_pricer(n_train: int, n_val: int, epochs: int, batch_size: int, learning_rate: float, seed: int) -> dict:
    """Train a Keras MLP of `PRICER_LAYERS` on `training_split` with MSE loss and an MAE metric.

    Minimises the mean squared error of Eq. `eq:mse` between the network's output and C/K
    with Adam, and reports the mean absolute error of Eq. `eq:mae` (Option-pricing chapter).
    Deterministic for a given seed (`dlcourse.keras_models.seed_everything`).

    - n_train, n_val: sizes of the training and validation sets (validation is scored each
      epoch, never trained on).
    - epochs, batch_size, learning_rate: Keras's ``fit`` and Adam's settings.
    - seed: seed of the data and of Keras's initialisation and shuffling.

    Returns a dict of plain values (so a cached result loads without TensorFlow):
    ``"history"``: Keras's ``history.history``, one float per epoch under ``"loss"``,
    ``"mae"``, ``"val_loss"``, ``"val_mae"``; ``"weights"``: ``model.get_weights()``, kernel (n_in, n_out) and bias (n_out,) per layer.
    """
    (X_train, y_train), (X_val, y_val) = training_split(n_train, n_val, seed)
    keras = seed_everything(seed)
    model = keras.Sequential(
        [keras.Input(shape=(PRICER_LAYERS[0],))]
        + [keras.layers.Dense(units, activation=name) for units, name in zip(PRICER_LAYERS[1:], PRICER_ACTIVATIONS)]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse", metrics=["mae"])
    # Keras validates on the LAST rows when given a split, which are exactly the validation part.
    run = train(model, np.vstack([X_train, X_val]), np.vstack([y_train, y_val]), epochs, batch_size, n_val / (n_train + n_val), seed)
    return {"history": run["history"], "weights": model.get_weights()}


@cached
def train_network_pricer(n_train: int, n_val: int, epochs: int, batch_size: int, learning_rate: float, seed: int) -> dict:
    """Train the NumPy `dlcourse.network.Network` of `PRICER_LAYERS` exactly as `train_keras_pricer` does.

    Same data, architecture, loss (Eq. `eq:mse`), optimizer (Adam) and settings; its own
    initial weights and shuffling, drawn from ``seed``. Arguments as in `train_keras_pricer`.

    Returns ``{"history": {"loss": [...], "val_loss": [...]}, "weights": [...]}``, one float
    per epoch and weights in Keras's layout (`Network` records no MAE while training).
    """
    (X_train, y_train), validation = training_split(n_train, n_val, seed)
    network = Network(list(PRICER_LAYERS), list(PRICER_ACTIVATIONS), seed=seed)
    # With 64-unit layers, each product is too small to share between BLAS threads: on two
    # busy cores the hand-offs cost more than the arithmetic (measured: about 4x slower).
    with threadpool_limits(limits=1, user_api="blas"):
        history = network.fit(
            X_train, y_train, epochs, batch_size, optimizer="adam", learning_rate=learning_rate,
            loss="mse", validation_data=validation, seed=seed,
        )
    return {"history": history.history, "weights": network.get_weights()}


def price_with_network(weights: list[np.ndarray], X: np.ndarray) -> np.ndarray:
    """Prices C/K from a trained pricer: the network of `PRICER_LAYERS` on `scale_features` (X).

    Runs the forward pass of `dlcourse.network.Network` (Keras's layout: samples as rows),
    so weights from either `train_keras_pricer` or `train_network_pricer` work.

    - weights: kernel (n_in, n_out) and bias (n_out,) per layer, as ``get_weights()`` returns.
    - X: (n, 4) contracts, columns in the order of `FEATURES`.

    Returns (n, 1) float32: the network's estimate of C/K; multiply by K for a price.
    """
    network = Network(list(PRICER_LAYERS), list(PRICER_ACTIVATIONS))
    network.set_weights(weights)
    return network.predict(scale_features(X).astype(np.float32))
