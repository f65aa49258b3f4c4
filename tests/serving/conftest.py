"""Shared models and a server on 127.0.0.1 (a free port) for the serving tests."""

from __future__ import annotations

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from neuroflow.layers import Concatenate, Dense, Input  # noqa: E402
from neuroflow.models import Model, Sequential  # noqa: E402
from neuroflow.serving import (  # noqa: E402
    BackgroundServer,
    ModelRepository,
    ModelSource,
    ServerSettings,
    create_app,
)
from neuroflow.utils import set_random_seed  # noqa: E402


def make_mlp(seed: int = 0, n_in: int = 3, n_out: int = 2) -> Sequential:
    set_random_seed(seed)
    return Sequential([Dense(4, activation="relu", input_shape=(n_in,)), Dense(n_out)])


def make_two_input_model() -> Model:
    """Inputs 'wide' (2 features) and 'deep' (3 features); outputs 'price' and 'aux'."""
    set_random_seed(1)
    wide, deep = Input(shape=(2,), name="wide"), Input(shape=(3,), name="deep")
    hidden = Concatenate()([wide, Dense(4, activation="relu")(deep)])
    return Model(inputs=[wide, deep],
                 outputs=[Dense(1, name="price")(hidden), Dense(2, name="aux")(hidden)])


@pytest.fixture(scope="session")
def mlp_file(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("models") / "mlp.keras"
    make_mlp().save(path)
    return str(path)


@pytest.fixture(scope="session")
def mlp(mlp_file):
    from neuroflow.models import load_model

    return load_model(mlp_file)


@pytest.fixture(scope="session")
def multi_file(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("models") / "multi.keras"
    make_two_input_model().save(path)
    return str(path)


@pytest.fixture(scope="session")
def two_input_model(multi_file) -> Model:
    from neuroflow.models import load_model

    return load_model(multi_file)


@pytest.fixture(scope="module")
def server(mlp_file, multi_file):
    """Serves 'mlp' and 'multi' from their files, with a 4 KiB body limit."""
    repository = ModelRepository([ModelSource("mlp", mlp_file), ModelSource("multi", multi_file)])
    app = create_app(repository, ServerSettings(max_body_bytes=4096))
    with BackgroundServer(app) as running:
        yield running


@pytest.fixture()
def client(server):
    with httpx.Client(base_url=server.url, timeout=10) as c:
        yield c


@pytest.fixture(scope="session")
def make_model():
    """`make_model(seed)`: a fresh small MLP (3 features in, 2 out) built with that seed."""
    return make_mlp
