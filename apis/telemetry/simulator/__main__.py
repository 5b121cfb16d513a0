"""`python -m apis.telemetry.simulator`: see the package's docstring, or --help."""

import sys

from apis.telemetry.simulator.cli import main

sys.exit(main())
