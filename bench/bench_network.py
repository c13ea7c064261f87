"""Is dlcourse.network.Network faster than Keras on the lecture's MNIST model? (issue 5)

Trains 784-512-10 (relu, softmax), RMSprop, batch 128, float32, on 60,000 rows, three ways
in this one process, from the same initial weights and in turns (Keras, Network, matrix
products; every other round the last two swap places, so that neither always runs right after
Keras, whose thread pools take a moment to go quiet), and reports the median of REPEATS one-epoch
runs of each:

- Keras: ``model.fit`` of the equal ``Sequential`` (after a warm-up fit that builds its graph);
- Network: ``Network.fit``, shuffling as Keras does (its optimizer steps and batch gathers split
  over OpenBLAS's threads when ``dlcourse.blas_pool`` can; the script says whether they were);
- the GEMM floor: the five matrix products of every training step alone (two forward,
  two for the weight gradients, one to carry the error back to the hidden layer), on
  preallocated arrays of the same shapes and dtype: what no NumPy training loop can beat.

Goals (issue 5): Network <= 0.40 x Keras and Network <= 1.4 x the GEMM floor. Exits 1 if
either is missed. Times depend on the machine and on what else runs on it; the ratios,
measured in turns in one process, much less so.
"""

import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter is not a result

import numpy as np

from dlcourse.data import load_mnist, preprocess
from dlcourse import optimizers
from dlcourse import blas_pool
from dlcourse.network import Network, _RowGather

LAYER_SIZES = [784, 512, 10]
ACTIVATIONS = ["relu", "softmax"]
BATCH_SIZE = 128
LEARNING_RATE = 1e-3
N_ROWS = 60_000
REPEATS = 7
GOAL_VS_KERAS = 0.40
GOAL_VS_GEMM = 1.4
BUSY_LOAD = 1.5  # 1-minute load average above which the timings say more about the neighbours


def training_data():
    """(X (60000, 784), Y (60000, 10)) float32, and a sentence saying where they came from."""
    mnist = load_mnist()
    X, Y = preprocess(mnist.x_train, mnist.y_train)
    if len(X) < N_ROWS:
        # The speed of a step does not depend on which digits it sees, only on the shapes.
        reps = -(-N_ROWS // len(X))
        X, Y = np.tile(X, (reps, 1))[:N_ROWS], np.tile(Y, (reps, 1))[:N_ROWS]
        tiled = f"Its {len(mnist.x_train):,} training digits are tiled to {N_ROWS:,} rows."
        return X, Y, f"{mnist.note} {tiled}"
    return X[:N_ROWS], Y[:N_ROWS], mnist.note


def keras_model(weights):
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((LAYER_SIZES[0],))]
                             + [keras.layers.Dense(n, activation=a)
                                for n, a in zip(LAYER_SIZES[1:], ACTIVATIONS)])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=LEARNING_RATE),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    model.set_weights(weights)
    return model


def gemm_floor_epoch(X, weights):
    """One epoch of the matrix products alone; X (m, 784), weights as get_weights() returns."""
    W1, _, W2, _ = weights
    Z1 = np.empty((BATCH_SIZE, W1.shape[1]), X.dtype)
    Z2 = np.empty((BATCH_SIZE, W2.shape[1]), X.dtype)
    dZ1, dW1, dW2 = np.empty_like(Z1), np.empty_like(W1), np.empty_like(W2)
    for start in range(0, len(X) - BATCH_SIZE + 1, BATCH_SIZE):
        x = X[start:start + BATCH_SIZE]
        np.matmul(x, W1, out=Z1)
        np.matmul(Z1, W2, out=Z2)
        np.matmul(Z1.T, Z2, out=dW2)
        np.matmul(Z2, W2.T, out=dZ1)
        np.matmul(x.T, dZ1, out=dW1)


def overhead_pieces(network, X, Y):
    """Seconds for one epoch of the two largest pieces of Network's work beyond the floor.

    The RMSprop steps alone (on the network's parameter and gradient vectors) and the
    gathers of each shuffled batch's rows alone (X (m, 784) and Y (m, 10), with the kernel
    ``fit`` uses), each the median of REPEATS epochs.
    """
    optimizer = optimizers.RMSprop(LEARNING_RATE)
    optimizer.build(network._w)
    X_batch = np.empty((BATCH_SIZE, X.shape[1]), X.dtype)
    Y_batch = np.empty((BATCH_SIZE, Y.shape[1]), Y.dtype)
    gather = _RowGather(X, Y, X_batch, Y_batch)
    gather.shuffle(np.random.default_rng(0).permutation(len(X)))
    starts = range(0, len(X) - BATCH_SIZE + 1, BATCH_SIZE)

    def steps():
        for _ in starts:
            optimizer.step(network._w, network._g)

    def gathers():
        for start in starts:
            gather(start, BATCH_SIZE)

    seconds = {}
    for name, run in (("optimizer steps", steps), ("row gathers", gathers)):
        times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        seconds[name] = statistics.median(times)
    return seconds


def main():
    X, Y, note = training_data()
    print(f"data: {note}")
    print(f"Network's {blas_pool.status()}")
    load = os.getloadavg()
    print("load average before (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in load)
          + f" on {os.cpu_count()} cores")
    if load[0] > BUSY_LOAD:
        print("WARNING: the machine is busy. Other processes slow every run, and unevenly: NumPy's "
              "two-thread BLAS products wait for a descheduled thread at every call, Keras's "
              "thread pool degrades more gently. Rerun on an idle machine for meaningful ratios.")
    network = Network(LAYER_SIZES, ACTIVATIONS, seed=0)
    weights = network.get_weights()
    model = keras_model(weights)
    model.fit(X[:1024], Y[:1024], epochs=1, batch_size=BATCH_SIZE, verbose=0)  # build the graph
    network.fit(X[:1024], Y[:1024], epochs=1, batch_size=BATCH_SIZE)  # compile the optimizer

    runs = {
        "Keras": lambda: model.fit(X, Y, epochs=1, batch_size=BATCH_SIZE, verbose=0),
        "Network": lambda: network.fit(X, Y, epochs=1, batch_size=BATCH_SIZE, optimizer="rmsprop",
                                       learning_rate=LEARNING_RATE, seed=0),
        "GEMM floor": lambda: gemm_floor_epoch(X, weights),
    }
    seconds = {name: [] for name in runs}
    for round_ in range(REPEATS):
        order = ["Keras", "Network", "GEMM floor"] if round_ % 2 == 0 else ["Keras", "GEMM floor", "Network"]
        for name in order:
            run = runs[name]
            started = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - started)

    median = {name: statistics.median(times) for name, times in seconds.items()}
    print(f"one epoch of {len(X):,} rows, batch {BATCH_SIZE}, float32, "
          f"median of {REPEATS} (all runs, s):")
    for name, times in seconds.items():
        print(f"  {name:<11} {median[name]:6.3f} s   " + " ".join(f"{t:.3f}" for t in times))
    pieces = overhead_pieces(network, X, Y)
    print(f"Network beyond the floor: {median['Network'] - median['GEMM floor']:.3f} s, of which, "
          "measured alone: " + ", ".join(f"{name} {t:.3f} s" for name, t in pieces.items()))
    # Work any Keras-equal training loop must do besides the products: the optimizer streams
    # the parameters, their gradients and its state through memory at every step (as fast as
    # the cores it runs on can pull them), and a shuffled batch must be gathered. Their sum
    # with the floor is the ratio left for the rest.
    unavoidable = (median["GEMM floor"] + sum(pieces.values())) / median["GEMM floor"]
    print(f"floor + those two pieces = {unavoidable:.3f} x the floor, before any activation, "
          "loss or Python")
    print("load average after: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    rounds = sorted(n / f for n, f in zip(seconds["Network"], seconds["GEMM floor"]))
    print(f"Network / GEMM floor round by round: {rounds[0]:.3f} to {rounds[-1]:.3f}, median "
          f"{statistics.median(rounds):.3f} (how much the machine's noise moves the ratio)")
    vs_keras = median["Network"] / median["Keras"]
    vs_gemm = median["Network"] / median["GEMM floor"]
    ok_keras, ok_gemm = vs_keras <= GOAL_VS_KERAS, vs_gemm <= GOAL_VS_GEMM
    for label, ratio, goal, ok in (("Network / Keras     ", vs_keras, GOAL_VS_KERAS, ok_keras),
                                   ("Network / GEMM floor", vs_gemm, GOAL_VS_GEMM, ok_gemm)):
        print(f"{label} = {ratio:.3f}  (goal <= {goal}) {'ok' if ok else 'MISSED'}")
    return 0 if ok_keras and ok_gemm else 1


if __name__ == "__main__":
    sys.exit(main())
