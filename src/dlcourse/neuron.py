"""The McCulloch-Pitts neuron: a weighted input compared with a threshold.

Notation of the neuron chapter: inputs ``x`` (n,), weights ``w`` (n,), threshold ``theta``;
weighted input ``a``; output ``y = f(a)``. Several samples are passed as columns, ``x`` (n, m),
as in the rest of the lecture.
"""

from __future__ import annotations

import numpy as np

from dlcourse.activations import sigmoid, step
from dlcourse.checks import finite_array, real_number

# Weights and thresholds that make one neuron compute a logic gate on inputs in {0, 1}.
GATES = {
    "AND": {"w": np.array([1.0, 1.0]), "theta": 1.5},
    "OR": {"w": np.array([1.0, 1.0]), "theta": 0.5},
    "NOT": {"w": np.array([-1.0]), "theta": -0.5},
}


def _check(x, w, theta):
    x = finite_array("x", x)
    w = finite_array("w", w)
    theta = real_number("theta", theta)
    if w.ndim != 1:
        raise ValueError(f"w must be a vector of n weights, shape (n,); got shape {w.shape}")
    if x.ndim not in (1, 2) or x.shape[0] != w.shape[0]:
        raise ValueError(
            f"x must be (n,) or (n, m) with n = {w.shape[0]} inputs (one per weight); got shape {x.shape}"
        )
    return x, w, theta


def weighted_input(x, w, theta: float):
    """The weighted input a = sum_i w_i x_i - theta.  Implements Eq. `eq:weighted-input`.

    x: (n,) one sample, or (n, m) m samples as columns.  w: (n,).  theta: scalar.
    Returns a scalar for one sample, else (m,).
    """
    x, w, theta = _check(x, w, theta)
    return w @ x - theta


def augment(x, w, theta: float):
    """The threshold as one more synapse: input fixed at 1, weight -theta.  Eq. `eq:bias-as-weight`.

    Returns ``(x_tilde, w_tilde)`` with x_tilde (n+1,) or (n+1, m) (a row of ones appended) and
    w_tilde (n+1,), so that ``w_tilde @ x_tilde == weighted_input(x, w, theta)``.
    """
    x, w, theta = _check(x, w, theta)
    ones = np.ones((1,) + x.shape[1:])
    return np.concatenate([x, ones]), np.append(w, -theta)


def mcculloch_pitts(x, w, theta: float):
    """The McCulloch-Pitts neuron y = step(a): 1 if a > 0, else 0.  Implements Eq. `eq:step`.

    Shapes as in :func:`weighted_input`; returns 0.0/1.0 values of the same shape as ``a``.
    """
    return step(weighted_input(x, w, theta))


def logistic_neuron(x, w, theta: float):
    """The differentiable neuron y = sigma(a) = 1 / (1 + e^{-a}).  Implements Eq. `eq:logistic`.

    Shapes as in :func:`weighted_input`; returns values in (0, 1).
    """
    return sigmoid(weighted_input(x, w, theta))


def truth_table(gate: str):
    """All binary inputs of ``gate`` (one of :data:`GATES`) and the neuron's outputs.

    Returns ``(X, y)`` with X (n, 2**n), every input pattern as a column, and y (2**n,).
    """
    if not isinstance(gate, str) or gate not in GATES:
        raise ValueError(f"gate must be one of {sorted(GATES)}; got {gate!r}")
    w, theta = GATES[gate]["w"], GATES[gate]["theta"]
    n = w.shape[0]
    X = np.array([[(k >> (n - 1 - i)) & 1 for k in range(2**n)] for i in range(n)], dtype=float)
    return X, mcculloch_pitts(X, w, theta)
