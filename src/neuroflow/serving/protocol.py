"""uvicorn's HTTP protocol with two defences against clients that hold connections idle.

- A header timeout: a connection must deliver a request's headers within
  `header_timeout_s` of connecting (or of sending its next bytes after a response), else it
  is closed; uvicorn itself only times out idle keep-alive connections after a response.
- A connection limit: past `max_connections` (at most the process's open-file limit less
  64, so the limit is reached before accept() runs out of descriptors), a new connection
  closes the oldest one that is waiting for headers (an idle client), so the server keeps
  answering others; when none is idle, the newcomer is closed.

The limits come from the app's lifespan state (create_app puts them there under
`LIMITS_KEY`), so each server, and each worker process, uses its own settings.
"""

from __future__ import annotations

from typing import Any

try:
    import resource

    _FD_ROOM = resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 64
except (ImportError, OSError, ValueError):  # pragma: no cover - not POSIX
    _FD_ROOM = 1 << 30

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base
except ImportError:  # pragma: no cover - httptools is optional for uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Base

__all__ = ["GuardedHttpProtocol", "LIMITS_KEY", "PROTOCOL"]

LIMITS_KEY = "neuroflow_connection_limits"
PROTOCOL = "neuroflow.serving.protocol:GuardedHttpProtocol"
_DEFAULTS = {"header_timeout_s": 10.0, "max_connections": 1000}


class GuardedHttpProtocol(_Base):
    """HTTP/1.1 with a header timeout and idle-connection shedding (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._header_timer: Any = None
        self._armed_cycle: Any = None
        self._armed_at = 0.0

    def _limit(self, key: str) -> Any:
        limits = (self.app_state or {}).get(LIMITS_KEY) or _DEFAULTS
        return limits.get(key, _DEFAULTS[key])

    def _waiting_for_headers(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        self._armed_cycle = self.cycle
        self._armed_at = self.loop.time()
        self._header_timer = self.loop.call_later(self._limit("header_timeout_s"),
                                                  self._header_timeout)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self.cycle is self._armed_cycle and self._waiting_for_headers():
            self.transport.close()

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()
        if len(self.connections) > max(1, min(self._limit("max_connections"), _FD_ROOM)):
            self._shed()

    def _shed(self) -> None:
        idle = [c for c in self.connections if isinstance(c, GuardedHttpProtocol)
                and c is not self and c._waiting_for_headers() and not c.transport.is_closing()]
        victim = min(idle, key=lambda c: c._armed_at) if idle else self
        victim.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._header_timer is None and self._waiting_for_headers():
            self._arm()
        super().data_received(data)
        if self._header_timer is not None and self.cycle is not self._armed_cycle:
            self._disarm()  # a request's headers arrived: it is being answered

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
