"""RemoteMonitor (against a local server on 127.0.0.1), SwapEMAWeights, models.save_model."""

import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import callbacks


@pytest.fixture
def collector():
    """A local HTTP server recording (path, headers, body) of each POST."""
    posts = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            posts.append((self.path, dict(self.headers), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", posts
    finally:
        server.shutdown()
        server.server_close()


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    return x, (x @ np.array([[1.0], [2.0], [-1.0]], dtype="float32"))


def _model(**optimizer_kwargs):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05, **optimizer_kwargs), loss="mse")
    return model


@pytest.mark.parametrize("as_json", [False, True])
def test_remote_monitor_posts_each_epoch(collector, as_json):
    url, posts = collector
    x, y = _data()
    monitor = callbacks.RemoteMonitor(root=url, path="/log", field="payload",
                                      headers={"X-Run": "7"}, send_as_json=as_json)
    _model().fit(x, y, epochs=2, verbose=0, callbacks=[monitor])
    assert [p[0] for p in posts] == ["/log", "/log"] and posts[0][1]["X-Run"] == "7"
    bodies = [json.loads(b) if as_json else
              json.loads(urllib.parse.parse_qs(b.decode())["payload"][0]) for _, _, b in posts]
    assert [b["epoch"] for b in bodies] == [0, 1] and isinstance(bodies[1]["loss"], float)


def test_remote_monitor_warns_when_the_server_is_down():
    x, y = _data()
    monitor = callbacks.RemoteMonitor(root="http://127.0.0.1:9", timeout=1.0)
    with pytest.warns(UserWarning, match="could not reach"):
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[monitor])


def test_swap_ema_weights_evaluates_with_the_averages_and_trains_with_the_raw_weights():
    x, y = _data()
    model = _model(use_ema=True, ema_momentum=0.5)
    model.fit(x[:8], y[:8], epochs=1, batch_size=4, verbose=0)  # builds the averages
    model.set_weights([w + 1.0 for w in model.get_weights()])  # fit ended on the averages
    raw = [w.copy() for w in model.get_weights()]
    ema = [avg.data.copy() for avg in model.optimizer._ema_averages]
    assert not np.allclose(raw[0], ema[0])
    seen = []
    probe = keras.callbacks.LambdaCallback(
        on_test_batch_begin=lambda batch, logs: seen.append(model.get_weights()[0].copy()))
    model.evaluate(x, y, verbose=0, callbacks=[callbacks.SwapEMAWeights(), probe])
    np.testing.assert_allclose(seen[0], ema[0])
    np.testing.assert_allclose(model.get_weights()[0], raw[0])  # swapped back


def test_swap_ema_weights_refuses_an_optimizer_without_ema():
    x, y = _data()
    with pytest.raises(ValueError, match="use_ema=True"):
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.SwapEMAWeights()])


def test_models_save_model_writes_a_loadable_file(tmp_path):
    x, y = _data()
    model = _model()
    keras.models.save_model(model, tmp_path / "m.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "m.keras").predict(x, verbose=0),
                               model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="zipped=False"):
        keras.models.save_model(model, tmp_path / "n.keras", zipped=False)
