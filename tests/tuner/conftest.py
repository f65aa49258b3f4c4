"""Fixtures of the tuner tests (their helpers live in tuner_helpers.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("optuna")

from tuner_helpers import make_data  # noqa: E402


@pytest.fixture
def data():
    return make_data()
