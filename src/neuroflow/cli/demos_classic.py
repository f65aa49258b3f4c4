"""The chapter's first neurons as demos: Rosenblatt's perceptron on iris, and XOR."""

from __future__ import annotations

import argparse
import json

import numpy as np

from neuroflow.cli.errors import OK
from neuroflow.cli.outputs import save_history, save_model

__all__ = ["perceptron_demo", "xor_demo"]

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_TARGETS = np.array([0, 1, 1, 0], dtype=np.float32)


def _plot_boundary(X, y, w, b, path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.plot(X[y == 0, 0], X[y == 0, 1], "bs", label="Not Iris setosa")
    ax.plot(X[y == 1, 0], X[y == 1, 1], "yo", label="Iris setosa")
    xs = np.array([X[:, 0].min() - 0.5, X[:, 0].max() + 0.5])
    ax.plot(xs, -(w[0] * xs + b) / w[1], "k-", label="Decision boundary")
    ax.set_xlabel("Petal length (cm)")
    ax.set_ylabel("Petal width (cm)")
    ax.set_ylim(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5)
    ax.legend(loc="lower right")
    ax.grid(True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return True


def perceptron_demo(args: argparse.Namespace) -> int:
    """Rosenblatt's perceptron on iris petals: setosa or not."""
    from neuroflow.classic import RosenblattPerceptron
    from neuroflow.datasets import load_iris

    iris = load_iris()
    X = iris.data[:, (2, 3)]  # petal length, petal width
    y = (iris.target == 0).astype(int)  # Iris setosa
    per_clf = RosenblattPerceptron(max_epochs=args.epochs, random_state=args.seed)
    per_clf.fit(X, y)
    w = np.ravel(per_clf.tlu_.weights)
    b = float(np.ravel(per_clf.tlu_.bias)[0])
    accuracy = float(np.mean(per_clf.predict(X) == y))
    print(f"Trained on {len(X)} iris flowers (petal length and width) for "
          f"{per_clf.n_epochs_} epochs; converged: {per_clf.converged_}")
    print(f"Weights {w.tolist()}, bias {b}; training accuracy {accuracy:.4f}")
    X_new = [[2, 0.5], [3, 1]]
    y_pred = per_clf.predict(X_new)
    for row, pred in zip(X_new, y_pred, strict=True):
        print(f"  petal {row[0]} cm x {row[1]} cm -> {'Iris setosa' if pred else 'not setosa'}")
    path = args.output / "perceptron_iris.json"
    path.write_text(json.dumps({"weights": w.tolist(), "bias": b, "accuracy": accuracy,
                                "epochs": int(per_clf.n_epochs_)}, indent=1) + "\n",
                    encoding="utf-8")
    print(f"Saved the perceptron to {path}")
    picture = args.output / "perceptron_iris.png"
    if _plot_boundary(X, y, w, b, picture):
        print(f"Saved the decision boundary to {picture}")
    return OK


def xor_demo(args: argparse.Namespace) -> int:
    """XOR: the chapter's fixed-weight TLU network, then an MLP trained by backpropagation."""
    import neuroflow as keras
    from neuroflow.classic import xor_mlp

    network = xor_mlp()
    tlu_out = np.ravel(network(XOR_INPUTS))
    print("The chapter's network of threshold logic units (fixed weights):")
    for (x1, x2), out in zip(XOR_INPUTS.astype(int), tlu_out, strict=True):
        print(f"  {x1} XOR {x2} = {int(out)}")
    model = keras.Sequential([
        keras.layers.Input(shape=[2]),
        keras.layers.Dense(4, activation="tanh"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(loss="binary_crossentropy",
                  optimizer=keras.optimizers.Adam(learning_rate=0.05), metrics=["accuracy"])
    print(f"An MLP trained by backpropagation ({args.epochs} epochs, full batch):")
    model.summary()
    history = model.fit(XOR_INPUTS, XOR_TARGETS, epochs=args.epochs, batch_size=4, verbose=0)
    proba = np.ravel(model.predict(XOR_INPUTS, verbose=0))
    for (x1, x2), p in zip(XOR_INPUTS.astype(int), proba, strict=True):
        print(f"  {x1} XOR {x2} = {int(p > 0.5)}  (probability {p:.3f})")
    print(f"Accuracy {np.mean((proba > 0.5) == XOR_TARGETS):.2f}, final loss "
          f"{history.history['loss'][-1]:.4f}")
    save_model(model, args.output / "xor_mlp.keras", XOR_INPUTS)
    save_history(history, args.output, "xor_mlp")
    return OK
