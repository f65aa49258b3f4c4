"""RemoteMonitor (Keras 3): POST each epoch's logs to a server, e.g. a dashboard."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from neuroflow.callbacks.callback import Callback

__all__ = ["RemoteMonitor"]


class RemoteMonitor(Callback):
    """At each epoch's end, POST `{"epoch": ..., <logs>}` to `root + path`: as JSON
    (`send_as_json=True`) or as a form with the JSON in `field`. A server that cannot be
    reached gives a warning, never a failed training."""

    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/",
                 field: str = "data", headers: dict | None = None, send_as_json: bool = False,
                 timeout: float = 10.0):
        super().__init__()
        if urllib.parse.urlsplit(root).scheme not in ("http", "https"):
            raise ValueError(f"RemoteMonitor: root must be an http(s) URL, received {root!r}")
        self.root = root
        self.path = path
        self.field = field
        self.headers = dict(headers or {})
        self.send_as_json = bool(send_as_json)
        self.timeout = float(timeout)

    def on_epoch_end(self, epoch, logs=None):
        payload = {"epoch": epoch}
        for key, value in (logs or {}).items():
            payload[key] = value.item() if isinstance(value, np.generic) else float(value) \
                if isinstance(value, np.ndarray) else value
        headers = dict(self.headers)
        if self.send_as_json:
            body = json.dumps(payload).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(payload)}).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read()
        except (urllib.error.URLError, OSError) as exc:
            warnings.warn(f"RemoteMonitor: could not reach {self.root + self.path}: {exc}",
                          stacklevel=2)
