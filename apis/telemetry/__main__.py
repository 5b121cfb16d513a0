"""`python -m apis.telemetry`: serve the Croody Telemetry API alone.

`python -m apis.telemetry migrate` and `python -m apis.telemetry prune --older-than 30d`
maintain its database (`python -m apis.telemetry prune --help`).
"""

import sys

from observability.server import serve

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("migrate", "prune", "--database-url"):
        from apis.telemetry.cli import main

        sys.exit(main(sys.argv[1:]))
    serve("apis.telemetry.main:app", description=__doc__, default_port=9000)
