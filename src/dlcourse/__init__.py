"""dlcourse: the library behind "Introduction to Deep Learning".

One module per idea, named after the lecture's notation:

- ``neuron``            the McCulloch-Pitts neuron (weighted input, threshold, step)
- ``activations``       activations side by side with their derivatives
- ``scratch``           the lecture's two-layer network, samples as columns
- ``scratch_data``      the lecture's classification data and the scratch network's runs on it
- ``gradcheck``         central finite differences
- ``losses``            Keras's losses, each beside the output layer's gradient
- ``optimizers``        Keras's SGD, RMSprop and Adam on a flat parameter vector
- ``network``           a general dense network in plain NumPy, Keras's layout
- ``network_vs_keras``  ``network`` and Keras side by side (the From scratch to Keras chapter)
- ``checks``            argument checks that name what was expected and what came
- ``data``              MNIST with an offline fallback, and its preprocessing
- ``keras_models``      thin Keras helpers (imports TensorFlow only when called)
- ``figures``           matplotlib figures as byte-stable inline SVG for the site
- ``diagrams``          schematic diagrams drawn from the library's own objects
- ``finance``           Black-Scholes prices and the option-pricing networks
- ``cache``             on-disk cache keyed by inputs and the source code involved
- ``cachefile``         the cache's verified, atomically written entries

Importing ``dlcourse`` never imports TensorFlow.
"""

__version__ = "0.1.0"
