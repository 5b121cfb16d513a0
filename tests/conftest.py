import pytest
from django.core.management import call_command

from cms.base.message_catalogues import compile_catalogues


def pytest_configure(config: pytest.Config) -> None:
    """Interface translations are build output: compile the .po files changed since the
    last run before any test renders a page (Django reads a .mo once per process)."""
    compile_catalogues()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every database test starts from what `make run` sets up: 8 locales and the demo site."""
    with django_db_blocker.unblock():
        call_command("setup_croody", "--no-admin", stdout=open("/dev/null", "w"))  # noqa: SIM115
