"""The chapter's Wide & Deep models, built exactly as Hands-On ML chapter 10 writes them."""

import numpy as np

from neuroflow import layers
from neuroflow.models import Model

RNG = np.random.default_rng(42)
X = RNG.standard_normal((240, 8)).astype("float32")
Y = (X[:, :1] * 0.5 + X[:, 1:2] ** 2 * 0.3 + 1.0).astype("float32")
XA, XB = X[:, :5], X[:, 2:]


def wide_and_deep():
    input_ = layers.Input(shape=X.shape[1:])
    hidden1 = layers.Dense(30, activation="relu")(input_)
    hidden2 = layers.Dense(30, activation="relu")(hidden1)
    concat = layers.concatenate([input_, hidden2])
    output = layers.Dense(1)(concat)
    return Model(inputs=[input_], outputs=[output])


def two_inputs(aux: bool = False):
    input_A = layers.Input(shape=[5], name="wide_input")
    input_B = layers.Input(shape=[6], name="deep_input")
    hidden1 = layers.Dense(30, activation="relu")(input_B)
    hidden2 = layers.Dense(30, activation="relu")(hidden1)
    concat = layers.concatenate([input_A, hidden2])
    output = layers.Dense(1, name="output")(concat)
    if not aux:
        return Model(inputs=[input_A, input_B], outputs=[output])
    aux_output = layers.Dense(1, name="aux_output")(hidden2)
    return Model(inputs=[input_A, input_B], outputs=[output, aux_output])
