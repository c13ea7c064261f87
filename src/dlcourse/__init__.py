"""dlcourse: the library behind "Introduction to Deep Learning".

One module per idea, named after the lecture's notation:

- ``neuron``        the McCulloch-Pitts neuron (weighted input, threshold, step)
- ``activations``   activations side by side with their derivatives
- ``scratch``       the lecture's two-layer network, samples as columns
- ``gradcheck``     central finite differences
- ``network``       a general dense network with Keras's layout and optimizers
- ``data``          the lecture's data sets (classification, MNIST with an offline fallback)
- ``keras_models``  thin Keras helpers (imports TensorFlow only when called)
- ``figures``       matplotlib figures as byte-stable inline SVG for the site
- ``finance``       Black-Scholes prices for the option-pricing chapter
- ``cache``         on-disk cache keyed by inputs and the source code involved

Importing ``dlcourse`` never imports TensorFlow.
"""

__version__ = "0.1.0"
