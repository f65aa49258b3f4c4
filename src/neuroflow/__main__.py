"""`python -m neuroflow ...` runs the neuroflow command."""

import sys

from neuroflow.cli import main

sys.exit(main())
