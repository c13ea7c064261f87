"""The lecture's classification data for the scratch network, and the training runs on it.

The lecture calls ``sklearn.datasets.make_classification(n_samples=5000,
random_state=123)`` (20 features, 2 classes) and keeps the first 4000 samples for
training and the last 1000 for test. Here the samples are transposed into columns,
the layout ``dlcourse.scratch`` expects.
"""

from dlcourse.cache import cached
from dlcourse.scratch import train

N_SAMPLES = 5000
N_TRAIN = 4000
RANDOM_STATE = 123

LECTURE_RUN = {"n_hidden": 10, "epochs": 50, "batch_size": 32, "learning_rate": 0.1, "seed": 0}
"""The hyperparameters of the run the chapters show (the lecture gives none): its 20-10-1
network, batches of 32, and a learning rate that converges within 50 epochs."""


def lecture_classification():
    """The lecture's data set, split as in the lecture, samples as columns.

    Returns:
        (X_train, Y_train, X_test, Y_test): X_train (20, 4000), Y_train (1, 4000),
        X_test (20, 1000), Y_test (1, 1000); labels are 0.0 or 1.0.
    """
    from sklearn.datasets import make_classification  # keeps `import dlcourse` light

    X, y = make_classification(n_samples=N_SAMPLES, random_state=RANDOM_STATE)
    X, Y = X.T, y.reshape(1, -1).astype(float)
    return X[:, :N_TRAIN], Y[:, :N_TRAIN], X[:, N_TRAIN:], Y[:, N_TRAIN:]


@cached
def train_on_lecture_data(n_hidden, epochs, batch_size, learning_rate, seed):
    """``scratch.train`` on the lecture's training set, with its test set as validation.

    Cached on disk (``dlcourse.cache``), so the chapters can show the same run
    several times without paying for it again.

    Args:
        n_hidden, epochs, batch_size, learning_rate, seed: as in ``scratch.train``
            (``seed`` must be an int here: a cached run has to be reproducible).
    Returns:
        (params, history) as ``scratch.train`` returns them; history has "loss",
        "accuracy", "val_loss", "val_accuracy" (val = the lecture's 1000 test samples).
    """
    if not isinstance(seed, int):
        raise ValueError(f"seed must be an int for a cached run; got {seed!r}.")
    X_train, Y_train, X_test, Y_test = lecture_classification()
    return train(X_train, Y_train, n_hidden, epochs, batch_size, learning_rate, seed=seed,
                 X_val=X_test, Y_val=Y_test)
