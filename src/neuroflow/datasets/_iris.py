"""Fisher's iris data set, shipped inside the package (``sklearn.datasets.load_iris``)."""

from __future__ import annotations

from importlib import resources

import numpy as np

from neuroflow.datasets._bunch import Bunch

_DATA_MODULE = "neuroflow.datasets.data"
_FILENAME = "iris.csv"

TARGET_NAMES: tuple[str, ...] = ("setosa", "versicolor", "virginica")

DESCR = """\
Iris plants dataset
-------------------

Number of instances: 150 (50 in each of three classes)
Number of attributes: 4 numeric, predictive attributes, and the class

Attributes:
    - sepal length in cm
    - sepal width in cm
    - petal length in cm
    - petal width in cm
    - class: 0 = Iris setosa, 1 = Iris versicolor, 2 = Iris virginica

Missing attribute values: none.

Source: R. A. Fisher, "The use of multiple measurements in taxonomic problems",
Annals of Eugenics 7 (1936) 179-188; measurements by Edgar Anderson. The values
are those of Fisher's paper (as R's `iris`); the UCI copy differs in two points.
Setosa is linearly separable from the two other species, which are not linearly
separable from each other.
"""


def _read_csv() -> tuple[list[str], np.ndarray, np.ndarray]:
    text = resources.files(_DATA_MODULE).joinpath(_FILENAME).read_text(encoding="utf-8")
    header, *rows = [line for line in text.splitlines() if line.strip()]
    feature_names = header.split(",")[:-1]
    data = np.empty((len(rows), len(feature_names)), dtype=np.float64)
    target = np.empty(len(rows), dtype=np.int64)
    for i, row in enumerate(rows):
        *values, species = row.split(",")
        data[i] = [float(v) for v in values]
        target[i] = TARGET_NAMES.index(species)
    return feature_names, data, target


def load_iris(*, return_X_y: bool = False, as_frame: bool = False) -> Bunch | tuple:
    """Load the iris classification data set (150 samples, 4 features, 3 classes).

    Args:
        return_X_y: return ``(data, target)`` instead of a Bunch.
        as_frame: return pandas objects: ``data`` a DataFrame, ``target`` a Series
            named ``target``, ``frame`` a DataFrame of both (requires pandas).

    Returns:
        A :class:`Bunch` with ``data`` (150, 4) float64, ``target`` (150,) int64 in
        {0, 1, 2}, ``feature_names`` (e.g. ``"sepal length (cm)"``), ``target_names``
        (array of ``setosa``, ``versicolor``, ``virginica``), ``frame`` (None unless
        ``as_frame``), ``DESCR``, ``filename`` and ``data_module``; or ``(data, target)``
        if ``return_X_y``.
    """
    feature_names, data, target = _read_csv()
    frame = None
    if as_frame:
        from neuroflow.datasets._frame import to_frame

        frame, data, target = to_frame(data, target, feature_names, "target")
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        target_names=np.array(TARGET_NAMES),
        DESCR=DESCR,
        feature_names=feature_names,
        filename=_FILENAME,
        data_module=_DATA_MODULE,
    )
