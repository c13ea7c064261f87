"""The scratch network's runs on the lecture's classification data (``data.lecture_classification``).

Settings (such as the learning rate) are compared on a validation split of the training
samples, never on the test set.
"""

from dlcourse.cache import cached
from dlcourse.data import lecture_classification
from dlcourse.scratch import train

N_VAL = 800  # the last 800 of the 4000 training samples: held out of training, to compare settings

LECTURE_RUN = {"n_hidden": 10, "epochs": 50, "batch_size": 32, "learning_rate": 0.1, "seed": 0}
"""The hyperparameters of the run the chapters show (the lecture gives none): its 20-10-1
network, batches of 32, and a learning rate that converges within 50 epochs."""


def validation_split(X_train, Y_train):
    """The training samples split once more, for choosing settings without the test set.

    Returns:
        (X_fit, Y_fit, X_val, Y_val): the first 3200 columns, (20, 3200) and (1, 3200), to train
        on, and the last ``N_VAL`` = 800, (20, 800) and (1, 800), to validate on.
    """
    return X_train[:, :-N_VAL], Y_train[:, :-N_VAL], X_train[:, -N_VAL:], Y_train[:, -N_VAL:]


@cached
def train_on_lecture_data(n_hidden, epochs, batch_size, learning_rate, seed):
    """``scratch.train`` on 3200 of the training samples, validated on the other 800.

    Cached on disk (``dlcourse.cache``), so the chapters can show the same run
    several times without paying for it again.

    Args:
        n_hidden, epochs, batch_size, learning_rate, seed: as in ``scratch.train``
            (``seed`` must be an int here: a cached run has to be reproducible).
    Returns:
        (params, history) as ``scratch.train`` returns them; history has "loss",
        "accuracy" (on the 3200 samples trained on), "val_loss", "val_accuracy" (on the 800
        validation samples, ``validation_split``). The test set plays no part.
    """
    if not isinstance(seed, int):
        raise ValueError(f"seed must be an int for a cached run; got {seed!r}.")
    X_fit, Y_fit, X_val, Y_val = validation_split(*lecture_classification()[:2])
    return train(X_fit, Y_fit, n_hidden, epochs, batch_size, learning_rate, seed=seed,
                 X_val=X_val, Y_val=Y_val)
