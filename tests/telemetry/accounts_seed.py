"""Build a real CMS database for the telemetry tests, in a subprocess.

`python tests/telemetry/accounts_seed.py` with DATABASE_URL set: applies the CMS migrations,
then creates users, robots and keys through the
CMS's own models (`ApiKey.objects.issue`) and prints them as JSON. Keys are printed once, as
the profile page shows them.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from cms.accounts.models import ApiKey
    from cms.robots.models import Robot
    from croody_core import scopes

    call_command("migrate", verbosity=0)  # the whole CMS: it serves /internal/ from here
    User = get_user_model()
    out: dict = {"users": {}, "robots": {}, "keys": {}}

    def user(name: str, **extra) -> object:
        made = User.objects.create_user(name, f"{name}@example.com", "x" * 12, **extra)
        out["users"][name] = made.pk
        return made

    def robot(owner, name: str) -> Robot:
        made = Robot.objects.create(owner=owner, name=name)
        out["robots"][name] = made.robot_id
        return made

    def key(label: str, owner, scopes: list[str], bound: Robot | None = None) -> None:
        api_key, secret = ApiKey.objects.issue(user=owner, scopes=scopes, name=label, robot=bound)
        out["keys"][label] = {"key": secret, "prefix": api_key.prefix}

    ana, bruno = user("ana"), user("bruno")
    staff = user("sam", is_staff=True)
    ana1, ana2 = robot(ana, "ana-rover-1"), robot(ana, "ana-rover-2")
    bruno1 = robot(bruno, "bruno-rover-1")
    key("ana1_write", ana, [scopes.SCOPE_TELEMETRY_WRITE], ana1)
    key("ana2_write", ana, [scopes.SCOPE_TELEMETRY_WRITE], ana2)
    key("bruno1_write", bruno, [scopes.SCOPE_TELEMETRY_WRITE], bruno1)
    key("ana_read", ana, [scopes.SCOPE_TELEMETRY_READ])
    key("bruno_read", bruno, [scopes.SCOPE_TELEMETRY_READ])
    key("staff_read", staff, [scopes.SCOPE_TELEMETRY_READ])
    key("ana_ids", ana, [scopes.SCOPE_IDS_SCORE])
    key("bruno_to_revoke", bruno, [scopes.SCOPE_TELEMETRY_READ])  # revoked by a test
    key("ana_stream", ana, [scopes.SCOPE_TELEMETRY_READ])  # revoked by a test
    key("ana_revoked", ana, [scopes.SCOPE_TELEMETRY_READ])
    ApiKey.objects.get(prefix=out["keys"]["ana_revoked"]["prefix"]).revoke()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
