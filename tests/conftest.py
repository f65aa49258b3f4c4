"""Fixtures for the whole suite."""

from __future__ import annotations

import pytest

from neuroflow.backend import _registry


@pytest.fixture(autouse=True)
def _registered_objects_do_not_leak():
    """Classes a test registers with register_serializable are forgotten after it, so no
    test's outcome depends on which tests ran before it in the same (xdist) worker."""
    registered, names = dict(_registry._REGISTERED), dict(_registry._REGISTERED_NAMES)
    yield
    _registry._REGISTERED.clear()
    _registry._REGISTERED.update(registered)
    _registry._REGISTERED_NAMES.clear()
    _registry._REGISTERED_NAMES.update(names)
