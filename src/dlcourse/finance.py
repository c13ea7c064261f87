"""Black-Scholes prices, and networks that learn them (the Option-pricing chapter).

The closed form is the reference: it generates the data the networks are trained on
and it is what their errors are measured against. The data set uses the homogeneity
of the price in (S, K) to remove one input: the networks learn C/K from S/K.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr
from threadpoolctl import threadpool_limits

from dlcourse.cache import cached
from dlcourse.checks import finite_array, int_at_least, real_array
from dlcourse.checks import seed as seed_argument
from dlcourse.keras_models import seed_everything, train
from dlcourse.network import Network

# The data set's sampling ranges, in the order of its columns. Moneyness spans 30%
# either side of the money; maturities run from one week to two years, and the
# shortest ones are the hard part of the surface (the chapter's error heatmap).
FEATURES = ("S/K", "T", "r", "sigma")
RANGES = {
    "S/K": (0.7, 1.3),
    "T": (1 / 52, 2.0),
    "r": (0.0, 0.06),
    "sigma": (0.1, 0.5),
}
_LOW, _HIGH = np.array([RANGES[name] for name in FEATURES]).T  # per column of X, in FEATURES order

# The pricer: 4 scaled inputs, two hidden ReLU layers, a linear output (C/K).
PRICER_LAYERS = (4, 64, 64, 1)
PRICER_ACTIVATIONS = ("relu", "relu", "linear")

_RULES = {  # argument: (what it must be, the test of an element)
    "S": ("positive", lambda a: a > 0),
    "K": ("positive", lambda a: a > 0),
    "T": ("non-negative (years)", lambda a: a >= 0),
    "r": ("", lambda a: np.full(a.shape, True)),  # a rate may be negative
    "sigma": ("non-negative (annual volatility)", lambda a: a >= 0),
}


MAX_DISCOUNT_EXPONENT = 700.0
"""Largest -rT accepted: exp(709.8) is the largest float64, so K exp(-rT) stays finite."""


def _validated(**arguments) -> tuple[np.ndarray, ...]:
    """The arguments as float arrays, broadcast; ValueError names a bad one."""
    arrays = {}
    for name, value in arguments.items():
        rule, ok = _RULES[name]
        array = real_array(name, value, float)  # "3", 1j, None: refused, not converted
        bad = ~np.isfinite(array) | ~ok(np.nan_to_num(array))
        if bad.any():
            first = float(array.flat[np.flatnonzero(bad)[0]])
            where = f" ({bad.sum()} of {array.size} values)" if array.size > 1 else ""
            rule = f" and {rule}" if rule else ""
            raise ValueError(f"{name} must be finite{rule}; got {first!r}{where}")
        arrays[name] = array
    try:
        broadcast = tuple(np.broadcast_arrays(*arrays.values()))
    except ValueError as error:
        shapes = ", ".join(f"{name}{a.shape}" for name, a in arrays.items())
        raise ValueError(f"{', '.join(arrays)} must broadcast to one shape; "
                         f"got {shapes}") from error
    if "r" in arguments:
        r, T = broadcast[list(arguments).index("r")], broadcast[list(arguments).index("T")]
        if (-r * T > MAX_DISCOUNT_EXPONENT).any():
            i = np.flatnonzero(-r * T > MAX_DISCOUNT_EXPONENT)[0]
            raise ValueError(f"r * T must be at least -{MAX_DISCOUNT_EXPONENT:g} (K exp(-rT) would "
                             f"overflow a float64); got r = {r.flat[i]!r}, T = {T.flat[i]!r}")
    return broadcast


def black_scholes_call(S, K, T, r, sigma):
    """Price of a European call under Black-Scholes.

    Implements Eqs. `eq:bs-call` and `eq:bs-d` (Option-pricing chapter):
    C = S N(d1) - K exp(-rT) N(d2), with N the standard normal CDF and
    d1 = (ln(S/K) + (r + sigma^2/2) T) / (sigma sqrt(T)), d2 = d1 - sigma sqrt(T).

    Arguments are numbers or arrays that NumPy broadcasts against each other
    (S of shape (m, 1) and T of shape (1, n) give an (m, n) grid of prices):

    - S: spot price of the underlying, > 0.
    - K: strike, > 0.
    - T: time to maturity in years, >= 0.
    - r: continuously compounded risk-free rate (may be negative).
    - sigma: annual volatility, >= 0.

    Returns the prices, of the broadcast shape (a NumPy float for scalar inputs).
    Where sigma sqrt(T) = 0 the future price is certain and the call is worth the
    limit max(S - K exp(-rT), 0): the payoff max(S - K, 0) at T = 0.
    Raises ValueError for NaN or inf, S or K <= 0, T or sigma < 0, -rT above
    `MAX_DISCOUNT_EXPONENT`, text or complex numbers, or shapes that do not broadcast.
    """
    S, K, T, r, sigma = _validated(S=S, K=K, T=T, r=r, sigma=sigma)
    discounted_K = K * np.exp(-r * T)
    with np.errstate(over="ignore"):  # sigma sqrt(T) may be inf: then C = S, its limit
        vol_sqrt_T = sigma * np.sqrt(T)
    random = vol_sqrt_T > 0
    # Dividing by a stand-in 1 where the path is certain keeps the arithmetic
    # clean; the limit replaces those entries below. d1 and d2 are written as
    # m / (sigma sqrt T) +- sigma sqrt(T) / 2 with m = ln(S/K) + rT, so that no
    # sigma**2 overflows: as sigma sqrt(T) grows, d1 -> +inf and d2 -> -inf (C -> S),
    # and a tiny one sends them to +-inf together (N = 1 or 0), their correct limits.
    spread = np.where(random, vol_sqrt_T, 1.0)
    moneyness = np.log(S) - np.log(K) + r * T
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        drift = moneyness / spread
        d1 = np.where(np.isinf(spread), np.inf, drift + 0.5 * spread)
        d2 = np.where(np.isinf(spread), -np.inf, drift - 0.5 * spread)
    price = S * ndtr(d1) - discounted_K * ndtr(d2)
    return np.where(random, price, np.maximum(S - discounted_K, 0.0))[()]


def black_scholes_put(S, K, T, r, sigma):
    """Price of a European put, from the call by put-call parity.

    Implements Eq. `eq:put-call-parity` (Option-pricing chapter):
    P = C - S + K exp(-rT). Arguments, broadcasting, result and errors are those
    of `black_scholes_call`.
    """
    call = black_scholes_call(S, K, T, r, sigma)
    S, K, T, r, sigma = _validated(S=S, K=K, T=T, r=r, sigma=sigma)
    return (call - S + K * np.exp(-r * T))[()]


def option_dataset(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Call prices of n contracts sampled uniformly over `RANGES`.

    Uses the homogeneity of Eq. `eq:homogeneity` (Option-pricing chapter),
    C(S, K, T, r, sigma) = K C(S/K, 1, T, r, sigma): pricing with K = 1 covers
    every strike, so a contract is four numbers instead of five.

    - n: number of contracts, >= 1.
    - seed: seed of numpy.random.default_rng; same (n, seed), same data.

    Returns (X, y): X of shape (n, 4), columns in the order of `FEATURES`
    (moneyness S/K, maturity T in years, rate r, volatility sigma), and
    y of shape (n, 1), the call price per unit of strike, C/K.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer (contracts); got {n!r}")
    rng = np.random.default_rng(seed_argument("seed", seed))
    X = rng.uniform(_LOW, _HIGH, size=(n, len(FEATURES)))
    moneyness, T, r, sigma = X.T
    y = black_scholes_call(moneyness, 1.0, T, r, sigma).reshape(n, 1)
    return X, y


def scale_features(X: np.ndarray) -> np.ndarray:
    """Map each column of X linearly from its range in `RANGES` onto [-1, 1].

    The raw columns differ in scale (rates of a few percent next to maturities
    in years); on a common scale one learning rate suits every weight. The map
    is fixed by the stated ranges, not fitted to data: it has no state to store.

    - X: (n, 4), columns in the order of `FEATURES`.

    Returns an array of X's shape, float64.
    """
    X = finite_array("X", X)
    if X.ndim != 2 or X.shape[1] != len(FEATURES):
        raise ValueError(f"X must be (n, {len(FEATURES)}), columns {FEATURES}; got "
                         f"shape {X.shape}. Did you pass contracts as columns?")
    with np.errstate(over="ignore"):
        scaled = 2.0 * ((X - _LOW) / (_HIGH - _LOW)) - 1.0
    if not np.isfinite(scaled).all():
        raise ValueError(f"X is too large to scale (it overflows float64): values up to "
                         f"{np.abs(X).max():.3g}; the ranges are {RANGES}")
    return scaled


def training_split(n_train: int, n_val: int, seed: int):
    """The pricers' training and validation data: one `option_dataset`, cut in two.

    - n_train, n_val: numbers of contracts in each part.
    - seed: the data set's seed.

    Returns ((X_train, y_train), (X_val, y_val)), float32: X parts (n_train, 4)
    and (n_val, 4) passed through `scale_features`; y parts (n_train, 1) and
    (n_val, 1), C/K.
    """
    n_train, n_val = int_at_least("n_train", n_train, 1), int_at_least("n_val", n_val, 1)
    X, y = option_dataset(n_train + n_val, seed)
    X = scale_features(X).astype(np.float32)
    y = y.astype(np.float32)
    return (X[:n_train], y[:n_train]), (X[n_train:], y[n_train:])


@cached
def train_keras_pricer(n_train: int, n_val: int, epochs: int, batch_size: int,
                       learning_rate: float, seed: int) -> dict:
    """Train a Keras MLP of `PRICER_LAYERS`: MSE loss, MAE metric.

    Minimises the mean squared error of Eq. `eq:pricing-mse` with Adam and
    reports the mean absolute error of Eq. `eq:pricing-mae` (Option-pricing
    chapter). Deterministic for a given seed (keras_models.seed_everything).

    - n_train, n_val: sizes of the training and validation sets (the validation
      set is scored after each epoch, never trained on).
    - epochs, batch_size, learning_rate: settings of Keras's fit and of Adam.
    - seed: seed of the data, of Keras's initial weights and of its shuffling.

    Returns plain values (a cached result loads without TensorFlow):
    {"history": Keras's history.history, one float per epoch under "loss",
    "mae", "val_loss", "val_mae"; "weights": model.get_weights(), a kernel
    (n_in, n_out) and a bias (n_out,) per layer}.
    """
    (X_train, y_train), (X_val, y_val) = training_split(n_train, n_val, seed)
    keras = seed_everything(seed)
    model = keras.Sequential([keras.Input(shape=(PRICER_LAYERS[0],))] + [
        keras.layers.Dense(units, activation=activation)
        for units, activation in zip(PRICER_LAYERS[1:], PRICER_ACTIVATIONS)
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="mse", metrics=["mae"])
    # Given a fraction, Keras validates on the LAST rows: our validation part.
    run = train(model, np.vstack([X_train, X_val]), np.vstack([y_train, y_val]),
                epochs, batch_size, n_val / (n_train + n_val), seed)
    return {"history": run["history"], "weights": model.get_weights()}


@cached
def train_network_pricer(n_train: int, n_val: int, epochs: int, batch_size: int,
                         learning_rate: float, seed: int) -> dict:
    """Train the NumPy `Network` of `PRICER_LAYERS` as `train_keras_pricer` does.

    Same data, layers, loss (Eq. `eq:pricing-mse`), optimizer (Adam) and
    settings; its own initial weights and shuffling, drawn from seed.
    Arguments as in `train_keras_pricer`.

    Returns {"history": {"loss": [...], "val_loss": [...]}, "weights": [...]}:
    one float per epoch (Network records no MAE) and weights in Keras's layout.
    """
    (X_train, y_train), validation = training_split(n_train, n_val, seed)
    network = Network(list(PRICER_LAYERS), list(PRICER_ACTIVATIONS), seed=seed)
    # Products of 64-unit layers are too small to share between BLAS threads: on
    # two busy cores the hand-offs cost more than the arithmetic (measured 4x).
    with threadpool_limits(limits=1, user_api="blas"):
        history = network.fit(X_train, y_train, epochs, batch_size,
                              optimizer="adam", learning_rate=learning_rate,
                              loss="mse", validation_data=validation, seed=seed)
    return {"history": history.history, "weights": network.get_weights()}


def price_with_network(weights: list[np.ndarray], X: np.ndarray) -> np.ndarray:
    """C/K from a trained pricer: the network of `PRICER_LAYERS` on scaled X.

    Runs the forward pass of `dlcourse.network.Network` (Keras's layout, samples
    as rows) on `scale_features` (X), so weights from `train_keras_pricer` and
    from `train_network_pricer` both work.

    - weights: a kernel (n_in, n_out) and a bias (n_out,) per layer, as
      get_weights() returns them.
    - X: (n, 4) contracts, columns in the order of `FEATURES`.

    Returns (n, 1) float32, the network's C/K: multiply by K for a price.
    """
    network = Network(list(PRICER_LAYERS), list(PRICER_ACTIVATIONS))
    network.set_weights(weights)
    return network.predict(scale_features(X).astype(np.float32))
