"""plot_model: a PNG/SVG drawing through Graphviz's dot, or a clear error without it."""

import shutil

import pytest
from tests.models._chapter import two_inputs

from neuroflow import layers
from neuroflow.models import Model, Sequential
from neuroflow.utils import model_to_dot, plot_model

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is absent")


@needs_dot
def test_plot_model_writes_a_valid_png(tmp_path):
    path = tmp_path / "model.png"
    plot_model(two_inputs(aux=True), to_file=path, show_shapes=True, show_layer_names=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_dot
def test_plot_model_writes_svg_by_extension(tmp_path):
    path = tmp_path / "model.svg"
    plot_model(Sequential([layers.Dense(2, input_shape=[3])]), to_file=path, show_shapes=True)
    assert "<svg" in path.read_text()


def test_dot_source_has_names_shapes_and_edges():
    source = model_to_dot(two_inputs(aux=True), show_shapes=True, show_layer_names=True)
    assert "wide_input" in source and "(None, 35)" in source and source.count("->") == 6


def test_nested_model_is_expanded_in_a_cluster():
    inner = Sequential([layers.Dense(2, input_shape=[3])], name="inner")
    inp = layers.Input(shape=[3])
    source = model_to_dot(Model(inp, inner(inp)), expand_nested=True, show_layer_names=True)
    assert "subgraph cluster_" in source and 'label="inner"' in source


def test_missing_dot_says_how_to_install_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ImportError, match="apt-get install graphviz"):
        plot_model(two_inputs(), to_file=tmp_path / "m.png")


def test_subclassed_model_cannot_be_plotted():
    class Sub(Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="not a Sequential or Functional"):
        model_to_dot(Sub())
