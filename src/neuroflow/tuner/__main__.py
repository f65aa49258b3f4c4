"""`python -m neuroflow.tuner search.py --storage URL`: start a search worker."""

import sys

from neuroflow.tuner.worker import main

if __name__ == "__main__":
    sys.exit(main())
