"""`neuroflow serve`: serve saved models over HTTP (implemented in neuroflow.serving)."""

from neuroflow.serving.cli import register

__all__ = ["register"]
