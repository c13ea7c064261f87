"""The lecture's two-layer network in NumPy: tanh hidden layer, sigmoid output.

Samples are COLUMNS, exactly as in the lecture: X is (n_input, m), Y is (n_output, m),
W1 is (n_hidden, n_input), W2 is (n_output, n_hidden). Names follow the page's notation:
Z1, A1 are Z^[1], A^[1]; dW1 is dL/dW^[1]; DL2 and DL1 are the deltas Delta^[2], Delta^[1].

Every public function checks its input and raises ``ValueError`` saying which argument is
wrong, what was expected and what came; NumPy's broadcasting would otherwise turn many
mistakes (samples as rows, labels as a flat vector) into wrong numbers without a word.
"""

import numpy as np

from dlcourse.activations import sigmoid, tanh
from dlcourse.checks import finite_array, int_at_least, positive, real_array, real_number

PARAM_NAMES = ("W1", "b1", "W2", "b2")

LOSS_EPS = 1e-12
"""Predictions are clipped to [LOSS_EPS, 1 - LOSS_EPS] inside ``loss`` so log never sees 0."""


def _finite_matrix(name, A):
    A = finite_array(name, A)  # complex, text, NaN, inf: refused naming the argument
    if A.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array; got shape {A.shape}.")
    return A


def _samples(name, A):
    """``A`` if it has at least one sample (column): a mean over none is no number."""
    if A.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one sample (column); got shape {A.shape}.")
    return A


def _check_params(params):
    """Validate ``params``; return them as float64 and (n_input, n_hidden, n_output)."""
    if not isinstance(params, dict) or set(params) != set(PARAM_NAMES):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must be a dict with keys {list(PARAM_NAMES)}; got {got}.")
    p = {k: _finite_matrix(f"params['{k}']", params[k]) for k in PARAM_NAMES}
    n_hidden, n_input = p["W1"].shape
    n_output = p["b2"].shape[0]
    expected = {"b1": (n_hidden, 1), "W2": (n_output, n_hidden), "b2": (n_output, 1)}
    for k, shape in expected.items():
        if p[k].shape != shape:
            raise ValueError(f"params['{k}'] must be {shape} to match W1 {p['W1'].shape} "
                             f"and b2 {p['b2'].shape}; got {p[k].shape}.")
    return p, (n_input, n_hidden, n_output)


def _check_X(X, n_input, name="X", against="params['W1'] (n_hidden, n_input)"):
    X = _samples(name, _finite_matrix(name, X))
    if X.shape[0] != n_input:
        hint = " Did you pass samples as rows?" if X.shape[1] == n_input else ""
        raise ValueError(f"{name} must be (n_features, m) = ({n_input}, m) to match {against}; "
                         f"got {X.shape}.{hint}")
    return X


def _check_Y(Y, shape, name="Y"):
    Y = real_array(name, Y, np.float64)
    if Y.shape != shape:
        hint = (" Reshape labels with y.reshape(1, -1): samples are columns."
                if Y.size == shape[0] * shape[1] else "")
        raise ValueError(f"{name} must be (n_output, m) = {shape}; got {Y.shape}.{hint}")
    if not np.isin(Y, (0.0, 1.0)).all():
        raise ValueError(f"{name} must contain only labels 0 and 1; "
                         f"got values {np.unique(Y[~np.isin(Y, (0.0, 1.0))])[:5]}.")
    return Y


def init_weights(n_input, n_hidden, n_output, seed=None, scale=0.01):
    """Small random weights, zero biases: the lecture's initialization.

    Implements the "Initial weights" section (A network from scratch chapter).
    Unlike the lecture's ``np.random.randn``, draws come from a generator seeded with
    ``seed``, so a run can be repeated.

    Args:
        n_input, n_hidden, n_output: layer sizes (positive ints).
        seed: int, ``numpy.random.SeedSequence`` or None (fresh entropy).
        scale: standard deviation of the weights (the lecture's 0.01).
    Returns:
        dict W1 (n_hidden, n_input), b1 (n_hidden, 1), W2 (n_output, n_hidden),
        b2 (n_output, 1), all float64.
    """
    for name, n in (("n_input", n_input), ("n_hidden", n_hidden), ("n_output", n_output)):
        int_at_least(name, n, 1)
    scale = real_number("scale", scale, low=0.0)
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n_hidden, n_input)) * scale,
        "b1": np.zeros((n_hidden, 1)),
        "W2": rng.standard_normal((n_output, n_hidden)) * scale,
        "b2": np.zeros((n_output, 1)),
    }


def forward(X, params):
    """Forward propagation through the tanh hidden layer and the sigmoid output.

    Implements Eqs. `eq:z1`, `eq:a1`, `eq:z2`, `eq:a2` (A network from scratch chapter).

    Args:
        X: inputs (n_input, m), one sample per column.
        params: dict W1 (n_hidden, n_input), b1 (n_hidden, 1), W2 (n_output, n_hidden),
            b2 (n_output, 1).
    Returns:
        cache dict Z1, A1 (n_hidden, m) and Z2, A2 (n_output, m); A2 is Y_hat.
    """
    p, (n_input, _, _) = _check_params(params)
    X = _check_X(X, n_input)
    Z1 = p["W1"] @ X + p["b1"]  # b1 (n_hidden, 1) is added to every column
    A1 = tanh(Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = sigmoid(Z2)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def loss(Y, Y_hat):
    """Mean logistic (binary cross-entropy) loss over the m samples.

    Implements Eq. `eq:batch-loss` (Backpropagation chapter), which averages
    Eq. `eq:logistic-loss` over the columns (and sums over output units, if several).
    ``Y_hat`` is clipped to [LOSS_EPS, 1 - LOSS_EPS] before the logarithms: a sigmoid
    output can round to exactly 0 or 1 in float64 (|z| > 37), and log(0) would make the
    loss inf. The clip caps one sample's loss at -log(1e-12) = 27.6. We clip rather than
    work from the logits Z2 because this function receives probabilities, as in the lecture.

    Args:
        Y: labels (n_output, m) in {0, 1}.
        Y_hat: predicted probabilities (n_output, m) in [0, 1].
    Returns:
        the loss, a Python float.
    """
    Y_hat = _samples("Y_hat", _finite_matrix("Y_hat", Y_hat))
    shape_of_Y = np.shape(real_array("Y", Y))
    if shape_of_Y != Y_hat.shape:
        raise ValueError(f"Y and Y_hat must have one shape, (n_output, m); got Y {shape_of_Y} and "
                         f"Y_hat {Y_hat.shape}. Samples are columns.")
    Y = _check_Y(Y, Y_hat.shape)
    if Y_hat.min() < 0 or Y_hat.max() > 1:
        raise ValueError(f"Y_hat must be probabilities in [0, 1]; got values in "
                         f"[{Y_hat.min():.3g}, {Y_hat.max():.3g}]. Did you pass Z2 instead of A2?")
    m = Y.shape[1]
    P = np.clip(Y_hat, LOSS_EPS, 1 - LOSS_EPS)
    return float(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)) / m)


def backward(params, cache, X, Y):
    """Gradients of the mean logistic loss with respect to every parameter.

    Implements Eqs. `eq:delta2`, `eq:dW2`, `eq:db2`, `eq:delta1`, `eq:dW1`, `eq:db1`
    (Backpropagation chapter).

    Args:
        params: dict W1 (n_hidden, n_input), b1, W2 (n_output, n_hidden), b2.
        cache: the dict ``forward(X, params)`` returned; uses A1 (n_hidden, m), A2 (n_output, m).
        X: inputs (n_input, m).
        Y: labels (n_output, m) in {0, 1}.
    Returns:
        dict dW1 (n_hidden, n_input), db1 (n_hidden, 1), dW2 (n_output, n_hidden),
        db2 (n_output, 1): the same shapes as the parameters.
    """
    p, (n_input, n_hidden, n_output) = _check_params(params)
    X = _check_X(X, n_input)
    m = X.shape[1]
    Y = _check_Y(Y, (n_output, m))
    A1 = _finite_matrix("cache['A1']", cache["A1"])
    A2 = _finite_matrix("cache['A2']", cache["A2"])
    if A1.shape != (n_hidden, m) or A2.shape != (n_output, m):
        raise ValueError(f"cache must come from forward(X, params): A1 {(n_hidden, m)}, "
                         f"A2 {(n_output, m)}; got A1 {A1.shape}, A2 {A2.shape}.")
    DL2 = A2 - Y                                 # dL/dZ2 for one sample, (n_output, m)
    dW2 = DL2 @ A1.T / m
    db2 = DL2.sum(axis=1, keepdims=True) / m
    DL1 = (p["W2"].T @ DL2) * (1 - A1 ** 2)      # (n_hidden, m); '*' is elementwise
    dW1 = DL1 @ X.T / m
    db1 = DL1.sum(axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update(params, grads, learning_rate):
    """One gradient-descent step, returning NEW parameters (``params`` is not changed).

    Implements Eq. `eq:gd-update` (Backpropagation chapter).

    Args:
        params: dict W1, b1, W2, b2 (shapes as in ``init_weights``).
        grads: dict dW1, db1, dW2, db2 with the same shapes, as ``backward`` returns.
        learning_rate: positive float.
    Returns:
        dict W1, b1, W2, b2: each parameter minus learning_rate times its gradient.
    """
    p, _ = _check_params(params)
    positive("learning_rate", learning_rate)
    if not isinstance(grads, dict) or set(grads) != {"d" + k for k in PARAM_NAMES}:
        got = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
        raise ValueError(f"grads must be a dict with keys dW1, db1, dW2, db2; got {got}.")
    new = {}
    for k in PARAM_NAMES:
        g = _finite_matrix(f"grads['d{k}']", grads["d" + k])
        if g.shape != p[k].shape:
            raise ValueError(f"grads['d{k}'] must have the shape of params['{k}'], "
                             f"{p[k].shape}; got {g.shape}.")
        new[k] = p[k] - learning_rate * g
    return new


def predict(X, params):
    """Class labels: 1 where the network's probability A2 exceeds 0.5, else 0.

    Thresholds the output of Eq. `eq:a2` (A network from scratch chapter) at 1/2.

    Args:
        X: inputs (n_input, m).
        params: dict W1, b1, W2, b2.
    Returns:
        array (n_output, m) of 0.0 and 1.0.
    """
    return (forward(X, params)["A2"] > 0.5).astype(np.float64)


def _evaluate(X, Y, params):
    """(loss, accuracy) of ``params`` on the whole of X, Y."""
    A2 = forward(X, params)["A2"]
    return loss(Y, A2), float(np.mean((A2 > 0.5) == (Y == 1)))


def _check_training_data(X, Y, X_val, Y_val):
    """Validate train's data; Y fixes m, so X given as (m, n_features) is caught."""
    X = _samples("X", _finite_matrix("X", X))
    Y = real_array("Y", Y, np.float64)
    n_output, m = Y.shape if Y.ndim == 2 else (1, Y.size)
    if X.shape[1] != m and X.shape[0] == m:
        raise ValueError(f"X must be (n_features, m) with m = {m} columns like Y; "
                         f"got {X.shape}. Did you pass samples as rows?")
    Y = _check_Y(Y, (n_output, X.shape[1]))
    if (X_val is None) != (Y_val is None):
        raise ValueError("X_val and Y_val must be given together; got only one of them.")
    if X_val is not None:
        X_val = _check_X(X_val, X.shape[0], "X_val", against="X")
        Y_val = _check_Y(Y_val, (n_output, X_val.shape[1]), "Y_val")
    return X, Y, X_val, Y_val


def train(X, Y, n_hidden, epochs, batch_size, learning_rate, seed=None, X_val=None, Y_val=None):
    """Mini-batch gradient descent on the two-layer network.

    Minimizes Eq. `eq:batch-loss` with the steps of Eq. `eq:gd-update` (Backpropagation
    chapter), the gradient of each batch from ``backward``.

    Each epoch shuffles the columns of X (with a generator seeded from ``seed``), walks
    through them in batches of ``batch_size`` (the last one may be smaller) and takes
    one ``update`` per batch. After each epoch, loss and accuracy are measured on the
    WHOLE training set (and validation set), so the curves are not running averages.

    Args:
        X: inputs (n_input, m); Y: labels (n_output, m) in {0, 1}.
        n_hidden: hidden units. epochs: passes over the data. batch_size: columns per step.
        learning_rate: step size of ``update``.
        seed: int or None; fixes both the initial weights and the shuffling.
        X_val (n_input, m_val), Y_val (n_output, m_val): optional validation data.
    Returns:
        (params, history): params as in ``init_weights``; history a dict of lists with
        one float per epoch: "loss", "accuracy" and, with validation data,
        "val_loss", "val_accuracy".
    """
    X, Y, X_val, Y_val = _check_training_data(X, Y, X_val, Y_val)
    for name, n in (("n_hidden", n_hidden), ("epochs", epochs), ("batch_size", batch_size)):
        int_at_least(name, n, 1)
    positive("learning_rate", learning_rate)  # before the first epoch, not after it
    init_seed, shuffle_seed = np.random.SeedSequence(seed).spawn(2)
    params = init_weights(X.shape[0], n_hidden, Y.shape[0], seed=init_seed)
    rng = np.random.default_rng(shuffle_seed)
    history = {key: [] for key in ("loss", "accuracy")
               + (("val_loss", "val_accuracy") if X_val is not None else ())}
    for _ in range(epochs):
        order = rng.permutation(X.shape[1])
        for start in range(0, X.shape[1], batch_size):
            batch = order[start:start + batch_size]
            cache = forward(X[:, batch], params)
            params = update(params, backward(params, cache, X[:, batch], Y[:, batch]),
                            learning_rate)
        for prefix, (X_e, Y_e) in (("", (X, Y)), ("val_", (X_val, Y_val))):
            if X_e is not None:
                epoch_loss, epoch_accuracy = _evaluate(X_e, Y_e, params)
                history[prefix + "loss"].append(epoch_loss)
                history[prefix + "accuracy"].append(epoch_accuracy)
    return params, history
