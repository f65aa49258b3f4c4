"""California housing (Pace and Barry, 1997), as ``sklearn.datasets.fetch_california_housing``."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from neuroflow.datasets._bunch import Bunch
from neuroflow.datasets._content import DataFile
from neuroflow.datasets._parse_cache import load_cached, save_cached
from neuroflow.datasets._resolve import Dataset, as_folder, download_folder, fetch_content

FEATURE_NAMES: list[str] = [
    "MedInc",
    "HouseAge",
    "AveRooms",
    "AveBedrms",
    "Population",
    "AveOccup",
    "Latitude",
    "Longitude",
]
TARGET_NAMES: list[str] = ["MedHouseVal"]

# The nine columns of the StatLib file cal_housing.data, in file order.
STATLIB_COLUMNS: tuple[str, ...] = (
    "longitude",
    "latitude",
    "housingMedianAge",
    "totalRooms",
    "totalBedrooms",
    "population",
    "households",
    "medianIncome",
    "medianHouseValue",
)

CAL_HOUSING = DataFile(
    name="cal_housing.data",
    sha256="a2b44dcc7e1c9091b43c4f458b25cbd1f7e8068d08edd26bc4703108d3fa6214",
    size=2_071_484,
    file_names=("cal_housing.data", "cal_housing.tgz"),
    download_name="cal_housing.tgz",
)
"""The StatLib file, with the SHA-256 of its content (also accepted inside the .tgz)."""

MIRRORS: list[str] = [
    "https://ndownloader.figshare.com/files/5976036",
    "https://www.dcc.fc.up.pt/~ltorgo/Regression/cal_housing.tgz",
]
"""URLs of ``cal_housing.tgz`` (holding ``CaliforniaHousing/cal_housing.data``)."""

SYSTEM_DIRS: list[Path] = []
"""Folders where a package manager installs the file (no distribution packages it yet)."""

DESCR = """\
California housing dataset
--------------------------

Number of instances: 20640 (one per block group of the 1990 U.S. census)
Number of attributes: 8 numeric, predictive attributes, and the target

Attributes:
    - MedInc      median income in the block group (tens of thousands of US dollars)
    - HouseAge    median house age in the block group (years)
    - AveRooms    average number of rooms per household
    - AveBedrms   average number of bedrooms per household
    - Population  block group population
    - AveOccup    average number of household members
    - Latitude    block group latitude (degrees)
    - Longitude   block group longitude (degrees)

Target: MedHouseVal, the median house value in the block group, in units of
$100,000 (values are capped at 5.00001).

Missing attribute values: none.

Source: the StatLib repository (cal_housing.data), built by R. Kelley Pace and
Ronald Barry from the 1990 census. The averages per household are computed here
from the file's totals, as scikit-learn does; block groups with few households
and many empty houses (resorts) therefore have very large averages.

Reference: Pace, R. Kelley and Ronald Barry, "Sparse Spatial Autoregressions",
Statistics and Probability Letters, 33 (1997) 291-297.
"""


def parse_statlib(content: bytes, source: str = "<bytes>") -> np.ndarray:
    """Parse the comma-separated StatLib ``cal_housing.data`` into a float64 table.

    Args:
        content: the file's bytes: one block group per line, the nine numbers of
            ``STATLIB_COLUMNS``, no header.
        source: the file name, used in error messages.

    Returns:
        An array of shape (n_rows, 9).

    Raises:
        ValueError: a line is not nine numbers, or the file has no rows.
    """
    try:
        table = np.loadtxt(io.BytesIO(content), delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise ValueError(
            f"{source} is not in the StatLib cal_housing format (nine comma-separated "
            f"numbers per line): {exc}"
        ) from exc
    if table.shape[0] == 0 or table.shape[1] != len(STATLIB_COLUMNS):
        raise ValueError(
            f"{source} is not in the StatLib cal_housing format: expected rows of "
            f"{len(STATLIB_COLUMNS)} columns, got an array of shape {table.shape}."
        )
    return table


def derive_features(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Turn the StatLib table into scikit-learn's eight features and target.

    Totals per block group become averages per household; the target is the median
    house value in units of $100,000.

    Returns:
        ``(data, target)`` of shapes (n, 8) and (n,), float64, columns ``FEATURE_NAMES``.
    """
    col = {name: table[:, i] for i, name in enumerate(STATLIB_COLUMNS)}
    households = col["households"]
    data = np.column_stack(
        [
            col["medianIncome"],
            col["housingMedianAge"],
            col["totalRooms"] / households,
            col["totalBedrooms"] / households,
            col["population"],
            col["population"] / households,
            col["latitude"],
            col["longitude"],
        ]
    )
    return data, col["medianHouseValue"] / 100_000.0


def _table(data_home: str | os.PathLike[str] | None, download_if_missing: bool) -> np.ndarray:
    dataset = Dataset(
        key="california_housing", title="California housing", system_dirs=tuple(SYSTEM_DIRS)
    )
    given = as_folder(data_home)
    cache = download_folder(dataset, given)
    cached = load_cached(cache, CAL_HOUSING)
    if cached is not None and "table" in cached:
        return cached["table"]
    content, source = fetch_content(
        CAL_HOUSING,
        dataset,
        MIRRORS,
        given=given,
        arg_name="data_home=",
        download_if_missing=download_if_missing,
    )
    table = parse_statlib(content, str(source))
    save_cached(cache, CAL_HOUSING, {"table": table})
    return table


def fetch_california_housing(
    *,
    data_home: str | os.PathLike[str] | None = None,
    download_if_missing: bool = True,
    return_X_y: bool = False,
    as_frame: bool = False,
) -> Bunch | tuple:
    """Load the California housing regression data set (20640 samples, 8 features).

    The StatLib file ``cal_housing.data`` is looked for in ``data_home``, then in
    ``$NEUROFLOW_DATA/california_housing/``, the user cache, and is finally downloaded
    (``cal_housing.tgz``) into the cache; it is verified by its SHA-256, and the parsed
    table is cached as ``.npz``.

    Args:
        data_home: a folder searched first (directly and in ``california_housing/``);
            downloads and the parse cache go there. Default: the user cache.
        download_if_missing: if False, raise instead of downloading.
        return_X_y: return ``(data, target)`` instead of a Bunch.
        as_frame: return pandas objects: ``data`` a DataFrame, ``target`` a Series
            named ``MedHouseVal``, ``frame`` a DataFrame of both (requires pandas).

    Returns:
        A :class:`Bunch` with ``data`` (20640, 8) float64, ``target`` (20640,) float64 in
        units of $100,000, ``feature_names``, ``target_names``, ``frame`` (None unless
        ``as_frame``) and ``DESCR``; or ``(data, target)`` if ``return_X_y``.

    Raises:
        DatasetNotFoundError: no source holds the file and downloading failed or was
            disabled.
        ChecksumError: a file given outside the cache is corrupted or truncated.
    """
    data, target = derive_features(_table(data_home, download_if_missing))
    frame = None
    if as_frame:
        from neuroflow.datasets._frame import to_frame

        frame, data, target = to_frame(data, target, FEATURE_NAMES, TARGET_NAMES[0])
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        target_names=list(TARGET_NAMES),
        feature_names=list(FEATURE_NAMES),
        DESCR=DESCR,
    )
