"""`python -m neuroflow.serving MODEL_FILE ...`: the same as `neuroflow serve`."""

import sys

from neuroflow.cli import main

sys.exit(main(["serve", *sys.argv[1:]]))
