"""`neuroflow demo [NAME]`: train one of the chapter's models and save what it learned."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from neuroflow.cli import chapter
from neuroflow.cli.demos_classic import perceptron_demo, xor_demo
from neuroflow.cli.errors import BAD_INPUT, OK, CliError
from neuroflow.cli.outputs import save_history, save_model

__all__ = ["register", "demo", "DEMOS"]

DEFAULT_EPOCHS = {"fashion-mnist": 10, "california": 20, "wide-deep": 20, "tune": 3,
                  "perceptron": 100, "xor": 300}
"""Epochs when --epochs is not given (the chapter trains Fashion-MNIST for 30; the
perceptron stops at its first epoch without a mistake)."""


def _train(model, data: chapter.Split, args: argparse.Namespace, **fit_kwargs):
    print(f"Training on {data.describe()}")
    model.summary()
    return model.fit(data.x_train, data.y_train, epochs=args.epochs,
                     validation_data=(data.x_valid, data.y_valid), verbose=args.verbose,
                     **fit_kwargs)


def fashion_mnist_demo(args: argparse.Namespace) -> int:
    """The chapter's Fashion-MNIST MLP, SGD with learning rate 0.01, test accuracy."""
    import neuroflow as keras

    data = chapter.load_fashion_mnist().head(args.max_samples)
    model = chapter.fashion_mlp()
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=keras.optimizers.SGD(learning_rate=0.01), metrics=["accuracy"])
    history = _train(model, data, args)
    loss, accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)
    print(f"Test accuracy: {accuracy:.4f} (loss {loss:.4f}) on {len(data.x_test):,} images")
    save_model(model, args.output / "fashion_mnist_mlp.keras", data.x_test[:100])
    save_history(history, args.output, "fashion_mnist_mlp")
    return OK


def _california(args: argparse.Namespace) -> chapter.Split:
    from neuroflow.datasets import DatasetNotFoundError

    try:
        return chapter.load_california(seed=args.seed).head(args.max_samples)
    except DatasetNotFoundError as err:
        raise CliError("California housing is not available here and neuroflow ships no "
                       f"sample of it ({str(err).splitlines()[0]}); set NEUROFLOW_DATA to a "
                       "folder holding california_housing/cal_housing.data", BAD_INPUT) from err


def _rows(x, n: int):
    """The first `n` rows of `x`, or of each input when the model takes several."""
    return [part[:n] for part in x] if isinstance(x, (list, tuple)) else x[:n]


def _regression(model, data: chapter.Split, args: argparse.Namespace, stem: str) -> int:
    import neuroflow as keras

    model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  metrics=["RootMeanSquaredError"])
    history = _train(model, data, args)
    mse, rmse = model.evaluate(data.x_test, data.y_test, verbose=0)
    print(f"Test RMSE: {rmse:.4f} (MSE {mse:.4f}) on {len(data.x_test):,} districts, "
          "in units of $100,000")
    save_model(model, args.output / f"{stem}.keras", _rows(data.x_test, 100))
    save_history(history, args.output, stem)
    return OK


def california_demo(args: argparse.Namespace) -> int:
    """The chapter's regression MLP (3 x 50 ReLU, Adam 1e-3) on California housing."""
    data = _california(args)
    return _regression(chapter.california_mlp(data.x_train), data, args, "california_mlp")


def wide_deep_demo(args: argparse.Namespace) -> int:
    """The chapter's Wide & Deep functional model on California housing."""
    data = _california(args)
    return _regression(chapter.wide_and_deep(data.x_train), data, args, "wide_and_deep")


def tune_demo(args: argparse.Namespace) -> int:
    """The chapter's random search over the Fashion-MNIST MLP's depth, width and optimizer."""
    import neuroflow.tuner as kt

    data = chapter.load_fashion_mnist().head(args.max_samples)
    print(f"Searching on {data.describe()}")
    tuner = kt.RandomSearch(chapter.tuned_fashion_mlp, objective="val_accuracy",
                            max_trials=args.trials,
                            overwrite=True, directory=str(args.output / "tuning"),
                            project_name="my_rnd_search", seed=args.seed)
    tuner.search(data.x_train, data.y_train, epochs=args.epochs,
                 validation_data=(data.x_valid, data.y_valid), verbose=args.verbose)
    best_trial = tuner.oracle.get_best_trials(num_trials=1)[0]
    print(f"Best hyperparameters: {best_trial.hyperparameters.values} "
          f"(val_accuracy {best_trial.score:.4f})")
    best_model = tuner.get_best_models(num_models=1)[0]
    best_model.summary()
    loss, accuracy = best_model.evaluate(data.x_test, data.y_test, verbose=0)
    print(f"Test accuracy of the best model: {accuracy:.4f} (loss {loss:.4f})")
    save_model(best_model, args.output / "fashion_mnist_tuned.keras", data.x_test[:100])
    return OK


DEMOS: dict[str, Callable[[argparse.Namespace], int]] = {
    "fashion-mnist": fashion_mnist_demo,
    "california": california_demo,
    "wide-deep": wide_deep_demo,
    "perceptron": perceptron_demo,
    "xor": xor_demo,
    "tune": tune_demo,
}


def demo(args: argparse.Namespace) -> int:
    """Run the chosen demo, writing its files under --output."""
    import neuroflow as keras

    if args.epochs is None:
        env = os.environ.get("NEUROFLOW_DEMO_EPOCHS")
        args.epochs = int(env) if env else DEFAULT_EPOCHS.get(args.name, 1)
    if args.epochs < 1 or (args.max_samples is not None and args.max_samples < 1):
        raise CliError("--epochs and --max-samples must be at least 1", BAD_INPUT)
    args.output = Path(args.output)
    args.output.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(args.seed)
    return DEMOS[args.name](args)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the demo command."""
    lines = "\n".join(f"  {name:14} {fn.__doc__.splitlines()[0]}" for name, fn in DEMOS.items())
    p = subparsers.add_parser(
        "demo", help="train one of the chapter's models (default: fashion-mnist)",
        description="Train one of the chapter's models on the real data when it is available, "
                    "print its summary and test score, and save the model and its learning "
                    "curves under --output.",
        epilog="demos:\n" + lines, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", nargs="?", default="fashion-mnist", choices=list(DEMOS),
                   metavar="NAME", help=f"one of {', '.join(DEMOS)} (default: fashion-mnist)")
    p.add_argument("--epochs", type=int, default=None,
                   help="training epochs (default: per demo, or $NEUROFLOW_DEMO_EPOCHS)")
    p.add_argument("--max-samples", type=int, default=None,
                   help="train (and validate, test) on at most this many rows, for a quick run")
    p.add_argument("--trials", type=int, default=5, help="tune: trials of the search (default 5)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    p.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2),
                   help="0 silent, 1 progress bar (default), 2 one line per epoch")
    p.add_argument("--output", "-o", default="neuroflow-demo",
                   help="folder for the saved model and curves (default: ./neuroflow-demo)")
    p.set_defaults(func=demo)
