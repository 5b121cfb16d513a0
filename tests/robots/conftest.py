# Users, passwords and signed-in clients: the same fixtures as the accounts tests.
from tests.accounts.conftest import (  # noqa: F401
    make_user,
    other_user,
    password,
    signed_in,
    user,
)
