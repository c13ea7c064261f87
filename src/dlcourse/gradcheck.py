"""Gradient checking: analytic gradients against central finite differences.

Used to test ``scratch.backward`` (and shown on the Backpropagation page): if the chain
rule was applied correctly, the two agree to many digits.
"""

import numpy as np

from dlcourse import scratch
from dlcourse.checks import finite_array, positive


def numerical_gradient(f, x, h=1e-5):
    """Central finite-difference gradient of a scalar function.

    Implements Eq. `eq:central-difference` (Backpropagation chapter):
    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h), whose error is O(h^2).

    Args:
        f: callable taking an array shaped like ``x`` and returning a float.
        x: the point, any shape; converted to float64 (float32 would drown the
            difference in rounding error).
        h: the step, a positive float.
    Returns:
        array of the shape of ``x``: the estimated gradient. ``x`` itself is not changed.
    """
    if not callable(f):
        raise ValueError(f"f must be a function of an array; got {type(f).__name__}.")
    h = positive("h", h)
    x = np.array(finite_array("x", x))  # a private float64 copy we can perturb in place
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + h
        f_plus = f(x)
        x[i] = original - h
        f_minus = f(x)
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b):
    """Relative distance ||a - b|| / (||a|| + ||b||) between two arrays (Frobenius norms).

    Implements Eq. `eq:relative-error` (Backpropagation chapter). It is 0 when the arrays
    are equal, at most 1, and does not depend on the overall scale of the gradients.

    Args:
        a, b: arrays of the same shape.
    Returns:
        float in [0, 1]; 0.0 when both arrays are zero.
    """
    a, b = finite_array("a", a), finite_array("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}.")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def check_gradients(params, X, Y, h=1e-5):
    """Relative error of ``scratch.backward`` against finite differences, per parameter.

    The reference is ``numerical_gradient`` of L(theta) = ``scratch.loss(Y,
    scratch.forward(X, theta)["A2"])``, varying one parameter array at a time, in float64.

    Args:
        params: dict W1 (n_hidden, n_input), b1 (n_hidden, 1), W2 (n_output, n_hidden),
            b2 (n_output, 1).
        X: inputs (n_input, m). Y: labels (n_output, m) in {0, 1}.
        h: finite-difference step.
    Returns:
        dict W1, b1, W2, b2 -> float relative error (Eq. `eq:relative-error`).
    """
    params = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    analytic = scratch.backward(params, scratch.forward(X, params), X, Y)
    errors = {}
    for name in scratch.PARAM_NAMES:
        def loss_of(value, name=name):
            return scratch.loss(Y, scratch.forward(X, {**params, name: value})["A2"])

        numeric = numerical_gradient(loss_of, params[name], h)
        errors[name] = relative_error(analytic["d" + name], numeric)
    return errors
