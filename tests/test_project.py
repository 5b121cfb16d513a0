"""Project-wide invariants: Django's checks, migrations, and the documented configuration."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

REPO = Path(__file__).resolve().parent.parent


def test_manage_check_passes():
    out = StringIO()
    call_command("check", "--fail-level", "WARNING", stdout=out)
    assert "no issues" in out.getvalue()


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def referenced_environment_variables() -> set[str]:
    """Names read with os.environ / env_bool / env_list, and pydantic-settings fields."""
    names = set()
    pattern = re.compile(
        r"""(?:environ\.get|environ\[|env_bool|env_list|getenv)\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    for path in [
        *REPO.glob("cms/**/*.py"),
        *REPO.glob("apis/**/*.py"),
        *REPO.glob("observability/*.py"),
    ]:
        names |= set(pattern.findall(path.read_text()))
    for settings_file in REPO.glob("apis/*/settings.py"):
        text = settings_file.read_text()
        prefix = re.search(r'env_prefix="([A-Z_]+)"', text)
        if prefix:
            for field in re.findall(r"^    ([a-z_]+): ", text, re.MULTILINE):
                names.add(prefix.group(1) + field.upper())
    return names


def test_env_example_documents_every_variable():
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (REPO / ".env.example").read_text(), re.M))
    missing = referenced_environment_variables() - documented
    assert not missing, f"add these to .env.example with a one-line meaning: {sorted(missing)}"
    assert "DATABASE_URL" in documented and "TELEMETRY_DATABASE_URL" in documented
