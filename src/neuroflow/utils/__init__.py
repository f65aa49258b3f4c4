"""Utilities shared across neuroflow."""
