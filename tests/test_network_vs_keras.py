"""Network against Keras: from the same weights, the same trajectory (issue 5's proof).

Small problems (256 samples, batches of 32, 5 epochs, no shuffling) keep each test around a
second; TensorFlow is imported once, by the module-scoped fixture.
"""

import numpy as np
import pytest

from dlcourse import losses
from dlcourse.network import Network

pytestmark = pytest.mark.keras

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


def sequential(keras, sizes, activations, loss, optimizer):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((sizes[0],))]
                             + [keras.layers.Dense(n, activation=a) for n, a in zip(sizes[1:], activations)])
    make = {"sgd": keras.optimizers.SGD, "rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam}
    model.compile(optimizer=make[optimizer](learning_rate=LEARNING_RATES[optimizer]), loss=loss,
                  metrics=[] if loss == "mse" else ["accuracy"])
    return model


def relative_gap(ours, theirs):
    """The largest ||ours - theirs|| / ||theirs|| over the weight arrays (Frobenius norms)."""
    return max(np.linalg.norm(a - b) / np.linalg.norm(b) for a, b in zip(ours, theirs))


@pytest.mark.parametrize("optimizer", ["sgd", "rmsprop", "adam"])
@pytest.mark.parametrize("loss", list(PROBLEMS))
def test_same_weights_after_several_epochs(keras, loss, optimizer):
    sizes, activations = PROBLEMS[loss]
    X, Y = data(loss, sizes)
    model = sequential(keras, sizes, activations, loss, optimizer)
    start = model.get_weights()
    net = Network(sizes, activations)
    net.set_weights(start)

    theirs = model.fit(X, Y, epochs=EPOCHS, batch_size=BATCH_SIZE, shuffle=False, verbose=0)
    ours = net.fit(X, Y, epochs=EPOCHS, batch_size=BATCH_SIZE, optimizer=optimizer,
                   learning_rate=LEARNING_RATES[optimizer], loss=loss, shuffle=False)

    # The kernels travelled far compared with the allowed gap: agreeing is not trivial.
    assert relative_gap(model.get_weights()[::2], start[::2]) > 0.03
    assert relative_gap(net.get_weights(), model.get_weights()) < 1e-4
    assert set(ours.history) == set(theirs.history)
    for key in ours.history:
        np.testing.assert_allclose(ours.history[key], theirs.history[key], rtol=1e-4, err_msg=key)


@pytest.mark.parametrize("loss", list(PROBLEMS))
def test_gradients_equal_a_gradient_tapes(keras, loss):
    import tensorflow as tf

    sizes, activations = PROBLEMS[loss]
    X, Y = data(loss, sizes, seed=1)
    model = sequential(keras, sizes, activations, loss, "sgd")
    net = Network(sizes, activations)
    net.set_weights(model.get_weights())
    with tf.GradientTape() as tape:
        value = tf.reduce_mean(keras.losses.get(loss)(Y, model(X)))
    theirs = [g.numpy() for g in tape.gradient(value, model.trainable_weights)]
    assert relative_gap(net.gradients(X, Y, loss=loss), theirs) < 1e-5
    assert net.evaluate(X, Y, loss=loss)["loss"] == pytest.approx(float(value), rel=1e-5)


def test_evaluate_and_predict_agree_with_keras(keras):
    sizes, activations = PROBLEMS["categorical_crossentropy"]
    X, Y = data("categorical_crossentropy", sizes, seed=2)
    model = sequential(keras, sizes, activations, "categorical_crossentropy", "rmsprop")
    net = Network(sizes, activations)
    net.set_weights(model.get_weights())
    np.testing.assert_allclose(net.predict(X), model.predict(X, verbose=0), rtol=1e-5, atol=1e-7)
    theirs = model.evaluate(X, Y, verbose=0, return_dict=True)
    ours = net.evaluate(X, Y)
    assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-5)
    assert ours["accuracy"] == pytest.approx(theirs["accuracy"])


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
