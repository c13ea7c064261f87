"""Activation functions, each beside its derivative.

Every function is elementwise (except ``softmax``), takes an array of any shape and
returns an array of the same shape. Floating inputs keep their dtype (float32 stays
float32); integers and booleans are converted to float64; anything else (complex numbers, text)
is a ValueError naming the argument.
"""

import numbers

import numpy as np

from dlcourse.checks import real_array


def _as_float(z, name="z"):
    z = real_array(name, z)
    return z if np.issubdtype(z.dtype, np.floating) else z.astype(np.float64)


def step(a):
    """McCulloch-Pitts step: 1 where ``a > 0``, else 0.

    Implements Eq. `eq:step` (McCulloch-Pitts chapter).

    Args:
        a: weighted input minus threshold, any shape.
    Returns:
        array of 0.0 and 1.0, same shape as ``a``.

    No derivative is provided on purpose: the step is flat everywhere except at 0,
    where it jumps. Its derivative is 0 wherever it exists, so a gradient-based
    optimizer gets no signal telling it which way to move a weight. That is why
    trainable networks replace it by a smooth function such as ``sigmoid``.
    """
    a = _as_float(a, "a")
    return (a > 0).astype(a.dtype)


def sigmoid(z):
    """Logistic sigmoid 1 / (1 + exp(-z)), without overflow for large |z|.

    Implements Eq. `eq:logistic` (McCulloch-Pitts chapter).

    Args:
        z: pre-activation, any shape.
    Returns:
        values in [0, 1], same shape as ``z``.
    """
    z = _as_float(z)
    # exp(-|z|) is at most 1, so it never overflows; the two branches are the same
    # function written for z >= 0 and for z < 0.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_prime(z):
    """Derivative of the sigmoid, sigma(z) (1 - sigma(z)).

    Implements Eq. `eq:sigmoid-prime` (Backpropagation chapter).

    Args:
        z: pre-activation, any shape.
    Returns:
        values in [0, 1/4], same shape as ``z``.
    """
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    """Hyperbolic tangent (e^z - e^-z) / (e^z + e^-z).

    Implements Eq. `eq:tanh` (A network from scratch chapter).

    Args:
        z: pre-activation, any shape.
    Returns:
        values in [-1, 1], same shape as ``z``.
    """
    return np.tanh(_as_float(z))


def tanh_prime(z):
    """Derivative of tanh, 1 - tanh(z)^2.

    Implements Eq. `eq:tanh-prime` (Backpropagation chapter).

    Args:
        z: pre-activation, any shape.
    Returns:
        values in [0, 1], same shape as ``z``.
    """
    return 1 - tanh(z) ** 2


def relu(z):
    """Rectified linear unit max(z, 0).

    Implements Eq. `eq:relu` (Building blocks chapter).

    Args:
        z: pre-activation, any shape.
    Returns:
        values >= 0, same shape as ``z``.
    """
    return np.maximum(_as_float(z), 0)


def relu_prime(z):
    """Derivative of ReLU: 1 where ``z > 0``, else 0.

    Implements the derivative in Eq. `eq:relu` (Building blocks chapter). At z = 0 ReLU
    has no derivative; we use 0 there, the same convention as TensorFlow's ReluGrad (and
    so Keras), so gradients computed here and by Keras agree even on exact zeros.

    Args:
        z: pre-activation, any shape.
    Returns:
        array of 0.0 and 1.0, same shape as ``z``.
    """
    z = _as_float(z)
    return (z > 0).astype(z.dtype)


def linear(z):
    """Identity activation f(z) = z (a unit that only forms its weighted sum).

    Implements Eq. `eq:linear` (Building blocks chapter).

    Args:
        z: pre-activation, any shape.
    Returns:
        a float copy of ``z``, same shape.
    """
    return _as_float(z).copy()


def linear_prime(z):
    """Derivative of the identity: 1 everywhere.

    Implements the derivative in Eq. `eq:linear` (Building blocks chapter).

    Args:
        z: pre-activation, any shape.
    Returns:
        ones, same shape as ``z``.
    """
    return np.ones_like(_as_float(z))


def softmax(z, axis):
    """Softmax exp(z_k) / sum_j exp(z_j) along ``axis``, without overflow.

    Implements Eq. `eq:softmax` (Training with Keras chapter).

    Args:
        z: logits, any shape; ``axis`` runs over the classes.
        axis: the class axis. There is no default on purpose: with samples as
            columns (the scratch network) it is 0, with samples as rows (Keras) -1.
    Returns:
        probabilities, same shape as ``z``, summing to 1 along ``axis``.
    """
    z = _as_float(z)
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (numbers.Integral, np.integer)) \
            or not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis must be an int in [-{z.ndim}, {z.ndim}) for z of shape {z.shape}; got {axis!r}")
    if z.shape[axis] == 0:
        raise ValueError(f"z must have at least one class along axis {axis}; got shape {z.shape}")
    # Subtracting the maximum leaves the ratio unchanged and makes every exponent
    # <= 0, so exp never overflows and at least one term of the sum is 1.
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
