"""Data sets of the chapter, verified, cached, and available offline.

- ``fashion_mnist.load_data()``, ``mnist.load_data()``, ``cifar10.load_data()``: Keras's
  loaders (uint8 arrays);
  ``fashion_mnist.load_sample()``: the 1,000-image sample shipped with neuroflow.
- ``fetch_california_housing()``, ``load_iris()``: scikit-learn's loaders (``Bunch``).

Files are found, in order, in the folder given to the call, under ``$NEUROFLOW_DATA``,
in the user cache (``~/.neuroflow/datasets`` or ``$NEUROFLOW_HOME/datasets``), in system
folders (Debian's ``/usr/share/datasets/``), or downloaded into the cache; each is
verified by the SHA-256 of its decompressed content before use.
"""

from neuroflow.datasets import cifar10, fashion_mnist, mnist
from neuroflow.datasets._bunch import Bunch
from neuroflow.datasets._california import fetch_california_housing
from neuroflow.datasets._errors import ChecksumError, DatasetNotFoundError
from neuroflow.datasets._home import get_data_home
from neuroflow.datasets._iris import load_iris

__all__ = [
    "Bunch",
    "ChecksumError",
    "DatasetNotFoundError",
    "cifar10",
    "fashion_mnist",
    "fetch_california_housing",
    "get_data_home",
    "load_iris",
    "mnist",
]
