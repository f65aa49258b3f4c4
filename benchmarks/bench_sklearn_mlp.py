"""neuroflow.sklearn's MLPs against scikit-learn's: the same numbers, in less time.

Cases (target: neuroflow's fit at least 2x faster than scikit-learn's, measured in
this run; the fitted numbers must agree, and the script checks that they do):

1. The chapter's regressor: make_pipeline(StandardScaler(), MLPRegressor([50, 50, 50],
   random_state=42)) on California housing with the book's split, float64 input;
2. the same with float32 input;
3. MLPClassifier(hidden_layer_sizes=[300, 100], max_iter=5) on Fashion-MNIST
   (55,000 training images / 255), 5 epochs, float64 input;
4. the same with float32 input (X / 255 cast to float32: scikit-learn's dtype rule
   then makes both libraries train float32 weights).

Each fit is timed `--repeats` times, scikit-learn's and neuroflow's alternately (so a
change in the machine's load hits both), and the fastest run of each is kept; both run
with the process's BLAS settings (neuroflow then picks its own thread count). Predict
time is on the validation set (case 3: the 10,000 test images). Data come from
neuroflow.datasets (set NEUROFLOW_DATA).

Beside each ratio the script prints the GEMM floor: the fit's matrix products alone
(forward X @ W, backward A.T @ delta and delta @ W.T, on the same shapes, dtype and
batch sizes, for as many epochs as the fit ran), with one BLAS thread and with the
process's default, and what share of each library's fit it is. No fit can be faster
than its floor, so when scikit-learn's share is above 50% the 2x target is out of reach.
Beside it, the parameter-pass floor: what the per-step update would cost if every array
Adam touches (parameters, gradient, first and second moments) were read and written
once, measured as one `np.add(a, b, out=a)` pass over the flat parameter vector (two
arrays) times two, per step; and the time of neuroflow's own Adam update (a dozen
elementwise passes, as scikit-learn's expressions need) on the same vector. GEMM floor
plus parameter-pass floor is the least a fit can take when its update is one fused
pass; a NumPy engine makes one pass per operation, which is the second figure.

    python benchmarks/bench_sklearn_mlp.py [--repeats 2] [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkClassifier  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import neuroflow  # noqa: E402
from neuroflow.sklearn import MLPClassifier, MLPRegressor  # noqa: E402
from neuroflow.sklearn._mlp_optimizers import Adam  # noqa: E402


def california(dtype):
    housing = neuroflow.datasets.fetch_california_housing()
    X_train_full, _, y_train_full, _ = train_test_split(
        housing.data, housing.target, random_state=42)
    X_train, X_valid, y_train, y_valid = train_test_split(
        X_train_full, y_train_full, random_state=42)
    return X_train.astype(dtype), y_train, X_valid.astype(dtype), y_valid


def fashion_mnist(n_train: int | None, dtype):
    (X_full, y_full), (X_test, y_test) = neuroflow.datasets.fashion_mnist.load_data()
    X_train = (X_full[5000:].reshape(-1, 784) / 255.0).astype(dtype)
    y_train = y_full[5000:]
    if n_train:
        X_train, y_train = X_train[:n_train], y_train[:n_train]
    return X_train, y_train, (X_test.reshape(-1, 784) / 255.0).astype(dtype), y_test


def timed_fit(make, X, y):
    model = make()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return model, time.perf_counter() - start


def timed_predicts(models, X):
    """Predictions of each model and its fastest of 5 calls, the models taking turns."""
    times: list[list[float]] = [[] for _ in models]
    predictions = []
    for _ in range(5):
        predictions = []
        for model, record in zip(models, times, strict=True):
            start = time.perf_counter()
            predictions.append(model.predict(X))
            record.append(time.perf_counter() - start)
    return predictions, [min(record) for record in times]


def gemm_floor(model, n_samples: int, dtype) -> dict[str, float]:
    """Seconds of the fit's matrix products alone ({'1 thread': ..., 'default': ...}):
    one epoch's products, fastest of 3, times the epochs the fit ran."""
    units = [model.coefs_[0].shape[0], *(c.shape[1] for c in model.coefs_)]
    batch = min(200, n_samples) if model.batch_size == "auto" else model.batch_size
    sizes = [batch] * (n_samples // batch) + ([n_samples % batch] if n_samples % batch else [])
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((a, b)).astype(dtype)
               for a, b in zip(units, units[1:], strict=False)]
    x = rng.standard_normal((batch, units[0])).astype(dtype)
    acts = [np.empty((batch, u), dtype) for u in units[1:]]
    deltas = [np.empty((batch, u), dtype) for u in units[1:]]
    grads = [np.empty_like(w) for w in weights]

    def epoch() -> None:
        for m in sizes:
            z = x[:m]
            for w, out in zip(weights, acts, strict=True):
                z = np.matmul(z, w, out=out[:m])
            delta = z
            for i in range(len(weights) - 1, -1, -1):
                below = acts[i - 1][:m] if i else x[:m]
                np.matmul(below.T, delta, out=grads[i])
                if i:
                    delta = np.matmul(delta, weights[i].T, out=deltas[i - 1][:m])

    floors = {}
    for name, threads in (("1 thread", 1), ("default", None)):
        with threadpool_limits(limits=threads, user_api="blas"):
            epoch()  # warm
            best = np.inf
            for _ in range(3):
                start = time.perf_counter()
                epoch()
                best = min(best, time.perf_counter() - start)
        floors[name] = best * model.n_iter_
    return floors


def _steps(model, n_samples: int) -> int:
    batch = min(200, n_samples) if model.batch_size == "auto" else model.batch_size
    return -(-n_samples // batch) * model.n_iter_


def parameter_pass_floor(model, n_samples: int, dtype) -> dict[str, float]:
    """Seconds of the fit's updates ({'floor': ..., 'adam': ...}): one fused pass over
    the four arrays Adam touches, and neuroflow's Adam update, per step (fastest of
    20 steps, after one warm step) times the fit's steps."""
    size = sum(c.size for c in model.coefs_) + sum(b.size for b in model.intercepts_)
    rng = np.random.default_rng(0)
    params = rng.standard_normal(size).astype(dtype)
    grad = rng.standard_normal(size).astype(dtype)
    adam = Adam(size, dtype, 1e-3, 0.9, 0.999, 1e-8)

    def fastest(step) -> float:
        step()
        best = np.inf
        for _ in range(20):
            start = time.perf_counter()
            step()
            best = min(best, time.perf_counter() - start)
        return best

    # np.add(a, b, out=a) reads two arrays and writes one: two such passes touch the
    # four (parameters and moments read and written, the gradient read)
    one_pass = fastest(lambda: np.add(params, grad, out=params))
    adam_step = fastest(lambda: adam.update_params(params, grad))
    steps = _steps(model, n_samples)
    return {"floor": 2 * one_pass * steps, "adam": adam_step * steps}


def estimator(pipeline):
    return pipeline[-1] if hasattr(pipeline, "steps") else pipeline


def same_numbers(a, b, pred_a, pred_b) -> bool:
    """Whether two fitted MLPs agree: epochs, loss curve and weights to 1e-9, predictions."""
    return (a.n_iter_ == b.n_iter_ and len(a.loss_curve_) == len(b.loss_curve_)
            and np.allclose(a.loss_curve_, b.loss_curve_, rtol=1e-9, atol=0)
            and all(np.allclose(u, v, rtol=1e-9, atol=1e-12)
                    for u, v in zip(a.coefs_, b.coefs_, strict=True))
            and np.array_equal(pred_a, pred_b))


def compare(name, make_ours, make_theirs, data, repeats: int, metric) -> bool:
    X_train, y_train, X_eval, y_eval = data
    times: dict = {"theirs": [], "ours": []}
    for _ in range(repeats):
        theirs, seconds = timed_fit(make_theirs, X_train, y_train)
        times["theirs"].append(seconds)
        ours, seconds = timed_fit(make_ours, X_train, y_train)
        times["ours"].append(seconds)
    fit_theirs, fit_ours = min(times["theirs"]), min(times["ours"])
    (pred_theirs, pred_ours), (predict_theirs, predict_ours) = timed_predicts(
        [theirs, ours], X_eval)
    a, b = estimator(ours), estimator(theirs)
    same = same_numbers(a, b, pred_ours, pred_theirs)
    agreement = str(same)
    if not same and X_train.dtype == np.float32:
        # sgemm's sums depend on its thread count (scikit-learn's own results do), and
        # neuroflow picks its count while it trains: on one BLAS thread each, the same?
        with threadpool_limits(limits=1, user_api="blas"):
            ours_1, _ = timed_fit(make_ours, X_train, y_train)
            theirs_1, _ = timed_fit(make_theirs, X_train, y_train)
            same = same_numbers(estimator(ours_1), estimator(theirs_1), ours_1.predict(X_eval),
                                theirs_1.predict(X_eval))
        agreement = (f"{same} on one BLAS thread (the timed fits differ in float32 "
                     "rounding: their sgemm sums ran on different thread counts)")
    ratio = fit_theirs / fit_ours
    dtype = np.result_type(X_train.dtype, a.coefs_[0].dtype)
    floors = gemm_floor(a, X_train.shape[0], dtype)
    floor = min(floors.values())
    passes = parameter_pass_floor(a, X_train.shape[0], dtype)
    print(f"{name}")
    print(f"  {metric(y_eval, pred_ours):.4f} neuroflow, {metric(y_eval, pred_theirs):.4f} "
          f"scikit-learn ({a.n_iter_} epochs); same numbers: {agreement}")
    print(f"  fit     {fit_ours:8.3f} s neuroflow, {fit_theirs:8.3f} s scikit-learn: "
          f"{ratio:.2f}x faster (target 2x)")
    print(f"  GEMM floor {floors['1 thread']:.3f} s on 1 thread, {floors['default']:.3f} s on "
          f"the default threads: {floor / fit_ours:.0%} of neuroflow's fit, "
          f"{floor / fit_theirs:.0%} of scikit-learn's (2x needs at most 50%)")
    print(f"  parameter-pass floor {passes['floor']:.3f} s (one pass per array Adam touches); "
          f"neuroflow's Adam update alone {passes['adam']:.3f} s")
    print(f"  GEMM + parameter-pass floors: {(floor + passes['floor']) / fit_theirs:.0%} of "
          f"scikit-learn's fit; GEMM floor + neuroflow's Adam: "
          f"{(floor + passes['adam']) / fit_theirs:.0%}")
    print(f"  predict {predict_ours * 1e3:8.2f} ms neuroflow, {predict_theirs * 1e3:8.2f} ms "
          f"scikit-learn: {predict_theirs / predict_ours:.2f}x")
    return same and ratio >= 2.0


def rmse(y, p):
    return float(np.sqrt(np.mean((p - y) ** 2)))


def accuracy(y, p):
    return float(np.mean(y == p))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--quick", action="store_true",
                        help="20 epochs on California, 5,000 Fashion-MNIST images")
    args = parser.parse_args(argv)
    max_iter = 20 if args.quick else 200
    print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    ok = True
    for dtype in (np.float64, np.float32):
        def regressor(cls):
            return lambda: make_pipeline(StandardScaler(), cls(
                hidden_layer_sizes=[50, 50, 50], random_state=42, max_iter=max_iter))
        ok &= compare(f"California housing, MLPRegressor [50, 50, 50], {np.dtype(dtype).name} "
                      "input, validation RMSE", regressor(MLPRegressor), regressor(SkRegressor),
                      california(dtype), args.repeats, rmse)

    def classifier(cls):
        return lambda: cls(hidden_layer_sizes=[300, 100], max_iter=5, random_state=42)
    for dtype in (np.float64, np.float32):
        ok &= compare(f"Fashion-MNIST, MLPClassifier [300, 100], 5 epochs, "
                      f"{np.dtype(dtype).name} input, test accuracy",
                      classifier(MLPClassifier), classifier(SkClassifier),
                      fashion_mnist(5000 if args.quick else None, dtype), args.repeats,
                      accuracy)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
