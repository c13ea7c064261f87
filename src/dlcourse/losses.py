"""Losses with Keras's reductions, each beside the gradient the output layer needs.

Samples are ROWS here (Keras's layout): ``Y`` and ``A`` are (m, n_out). Every loss is the
mean over the m samples of a per-sample value; for binary cross-entropy and MSE that
per-sample value is itself a mean over the n_out outputs, as in ``keras.losses``.

Keras computes a cross-entropy from probabilities only when it has to. When the output
layer is a softmax (or sigmoid) ``Dense`` layer, Keras finds the logits Z behind the
probabilities and uses the ``*_from_logits`` formulas below, which never take log(0).
So does ``dlcourse.network``. The probability versions, with Keras's clipping to
[EPSILON, 1 - EPSILON], are what ``keras.losses`` returns when handed probabilities.
"""

import numpy as np

EPSILON = 1e-7
"""``keras.backend.epsilon()``: probabilities are clipped to [EPSILON, 1 - EPSILON]."""


def _check_pair(Y, A, a_name="A"):
    Y = np.asarray(Y)
    A = np.asarray(A)
    if A.ndim != 2:
        raise ValueError(f"{a_name} must be (m, n_out), one sample per row; got shape {A.shape}.")
    if Y.shape != A.shape:
        hint = " Did you pass labels as a flat vector? Use y.reshape(-1, 1)." if Y.ndim == 1 else ""
        raise ValueError(f"Y must have the shape of {a_name}, (m, n_out) = {A.shape}; "
                         f"got {Y.shape}.{hint}")
    return Y.astype(A.dtype, copy=False), A


def categorical_crossentropy(Y, A):
    """Mean categorical cross-entropy of predicted probabilities, as ``keras.losses`` computes it.

    Implements Eq. `eq:cce-batch` (From scratch to Keras chapter), the mean over the rows of
    Eq. `eq:cce` (Training with Keras chapter): L = -(1/m) sum_i sum_k Y_ik log A_ik. Like
    Keras, each row of ``A`` is first rescaled to sum to 1 and then clipped to
    [EPSILON, 1 - EPSILON], so a probability of exactly 0 costs -log(1e-7) = 16.1, not inf.

    Args:
        Y: one-hot labels (m, n_classes).
        A: predicted probabilities (m, n_classes), e.g. a softmax output.
    Returns:
        the loss, a float.
    """
    Y, A = _check_pair(Y, A)
    P = np.clip(A / A.sum(axis=1, keepdims=True), EPSILON, 1 - EPSILON)
    return float(-np.sum(Y * np.log(P)) / len(Y))


def categorical_crossentropy_from_logits(Y, Z):
    """Mean categorical cross-entropy of softmax(Z), computed from the logits Z.

    Implements Eq. `eq:cce-batch` (From scratch to Keras chapter) with A = softmax(Z). Since
    log softmax(Z)_k = Z_k - logsumexp(Z), a sample's loss is (sum_k Y_k) logsumexp(Z) -
    sum_k Y_k Z_k. Subtracting each row's maximum first keeps exp from overflowing.

    Args:
        Y: one-hot labels (m, n_classes).
        Z: logits (m, n_classes), the output layer's pre-activation.
    Returns:
        the loss, a float.
    """
    Y, Z = _check_pair(Y, Z, "Z")
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_sum_exp = np.log(np.exp(shifted).sum(axis=1))
    return float(np.sum(Y.sum(axis=1) * log_sum_exp - (Y * shifted).sum(axis=1)) / len(Y))


def binary_crossentropy(Y, A):
    """Mean binary cross-entropy of predicted probabilities, as ``keras.losses`` computes it.

    Implements Eq. `eq:bce-batch` (From scratch to Keras chapter): the lecture's logistic loss
    -[y log a + (1 - y) log(1 - a)], averaged over the n_out outputs of a sample and then
    over the m samples. ``A`` is clipped to [EPSILON, 1 - EPSILON] first, as Keras does.

    Args:
        Y: labels (m, n_out) in [0, 1].
        A: predicted probabilities (m, n_out), e.g. a sigmoid output.
    Returns:
        the loss, a float.
    """
    Y, A = _check_pair(Y, A)
    P = np.clip(A, EPSILON, 1 - EPSILON)
    return float(-np.mean(Y * np.log(P) + (1 - Y) * np.log(1 - P)))


def binary_crossentropy_from_logits(Y, Z):
    """Mean binary cross-entropy of sigmoid(Z), computed from the logits Z.

    Implements Eq. `eq:bce-batch` with A = sigmoid(Z), rewritten as max(z, 0) - z y +
    log(1 + exp(-|z|)) (TensorFlow's ``sigmoid_cross_entropy_with_logits``): equal to
    the original for every z, and exp never overflows.

    Args:
        Y: labels (m, n_out) in [0, 1].
        Z: logits (m, n_out), the output layer's pre-activation.
    Returns:
        the loss, a float.
    """
    Y, Z = _check_pair(Y, Z, "Z")
    return float(np.mean(np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))))


def mean_squared_error(Y, A):
    """Mean squared error, averaged over the n_out outputs and the m samples.

    Implements Eq. `eq:mse-batch` (From scratch to Keras chapter): L = 1/(m n_out) sum (A - Y)^2.

    Args:
        Y: targets (m, n_out).
        A: predictions (m, n_out).
    Returns:
        the loss, a float.
    """
    Y, A = _check_pair(Y, A)
    return float(np.mean((A - Y) ** 2))


def mean_squared_error_prime(Y, A, out=None):
    """Gradient of ``mean_squared_error`` with respect to the predictions A.

    Implements Eq. `eq:mse-batch`, differentiated: dL/dA = 2 (A - Y) / (m n_out).

    Args:
        Y: targets (m, n_out).
        A: predictions (m, n_out).
        out: optional array (m, n_out) to write the result into (may be ``A`` itself).
    Returns:
        dL/dA, (m, n_out).
    """
    Y, A = _check_pair(Y, A)
    out = np.subtract(A, Y, out=out)
    return np.multiply(out, out.dtype.type(2 / A.size), out=out)


def softmax_crossentropy_delta(Y, A, out=None):
    """dL/dZ of categorical cross-entropy after a softmax output layer: (A - Y) / m.

    Implements Eq. `eq:output-delta` (From scratch to Keras chapter). The softmax's
    Jacobian and the derivative of the log cancel, leaving the same simple difference as
    the lecture's sigmoid + logistic loss (Eq. `eq:delta2`, Backpropagation chapter),
    divided by m because the loss is a mean over samples.

    Args:
        Y: one-hot labels (m, n_classes).
        A: softmax probabilities (m, n_classes).
        out: optional array (m, n_classes) to write the result into (may be ``A`` itself).
    Returns:
        dL/dZ, (m, n_classes).
    """
    Y, A = _check_pair(Y, A)
    out = np.subtract(A, Y, out=out)
    return np.multiply(out, out.dtype.type(1 / len(A)), out=out)


def sigmoid_crossentropy_delta(Y, A, out=None):
    """dL/dZ of binary cross-entropy after a sigmoid output layer: (A - Y) / (m n_out).

    Implements Eq. `eq:output-delta` for sigmoid outputs: the lecture's Delta^[2] = A^[2] - Y
    (Eq. `eq:delta2`, Backpropagation chapter), divided by m n_out because Keras averages
    over samples and outputs.

    Args:
        Y: labels (m, n_out) in [0, 1].
        A: sigmoid probabilities (m, n_out).
        out: optional array (m, n_out) to write the result into (may be ``A`` itself).
    Returns:
        dL/dZ, (m, n_out).
    """
    Y, A = _check_pair(Y, A)
    out = np.subtract(A, Y, out=out)
    return np.multiply(out, out.dtype.type(1 / A.size), out=out)
