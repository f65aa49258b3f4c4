"""A dictionary whose keys are also attributes, like scikit-learn's ``Bunch``."""

from __future__ import annotations

from typing import Any


class Bunch(dict):
    """A ``dict`` whose keys can also be read and written as attributes.

    ``b = Bunch(data=x); b.data is b["data"]``; setting ``b.target = y`` adds the key
    ``"target"``. Returned by :func:`load_iris` and :func:`fetch_california_housing`.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(kwargs)

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(
                f"'Bunch' object has no attribute {key!r}; its keys are {sorted(self)}"
            ) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __delattr__(self, key: str) -> None:
        try:
            del self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.keys()))
