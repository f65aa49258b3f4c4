"""scikit-learn is an optional extra: skip this folder's tests when it is missing."""

import importlib.util

collect_ignore_glob = [] if importlib.util.find_spec("sklearn") else ["test_*.py"]
