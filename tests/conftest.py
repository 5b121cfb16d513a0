import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every database test starts from what `make run` sets up: 8 locales and the demo site."""
    with django_db_blocker.unblock():
        call_command("setup_croody", "--no-admin", stdout=open("/dev/null", "w"))  # noqa: SIM115
