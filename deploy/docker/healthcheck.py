"""Container health probe: exit 0 when URL answers 2xx within the timeout.

Standard library only, so the slim runtime image needs no curl/wget.
"""

import sys
import urllib.request


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/health/"
    # A fixed Host keeps Django's ALLOWED_HOSTS check predictable (localhost is allowed).
    request = urllib.request.Request(url, headers={"Host": "localhost"})  # noqa: S310 - local URL
    try:
        with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310 - local URL
            return 0 if 200 <= response.status < 300 else 1
    except Exception as exc:  # any failure means unhealthy
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
