"""The service boundary: `cms` and `apis` stand apart (import-linter checks the imports in
`make lint`); here, what a CMS worker actually loads."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.servers import REPO, base_env

LOADED = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
import django
django.setup()
import cms.urls, cms.asgi  # every view, hook and middleware of a CMS worker
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_a_cms_worker_loads_neither_the_services_nor_the_model_libraries(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", LOADED],
        cwd=REPO,
        env=base_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "cms" in loaded and "croody_core" in loaded
    assert not loaded & {"apis", "sklearn", "numpy", "skops", "scipy", "fastapi", "sqlalchemy"}
