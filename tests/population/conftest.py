"""Fixtures shared by the population tests."""

import pytest

from neuroflow.population import compiled


@pytest.fixture(params=["whole products", "width classes"])
def products(request, monkeypatch):
    """A case run twice: with the products the cost model picks (at test widths, one over
    the whole padded buffer) and with a width class per member, each of its products
    over its own corner of the buffers only."""
    if request.param == "width classes":
        monkeypatch.setattr(compiled, "_CLASS_SECONDS", 0.0)
    return request.param
