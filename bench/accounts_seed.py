"""Build the CMS database the service benchmarks ask about keys, in a subprocess.

`python bench/accounts_seed.py` with DATABASE_URL set (bench.harness.start_cms runs it):
applies the whole CMS's migrations (the CMS serves /internal/ from this database), then
creates users, a robot and API keys through the CMS's own models (`ApiKey.objects.issue`),
as the profile page would, and prints them as JSON on its last line. The probe keys (telemetry
write keys, IDS scoring keys) are there to be presented for the first time one by one: the
first request with a key is the one that asks the CMS.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PROBE_KEYS = 100
IDS_PROBE_KEYS = 20


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from cms.accounts.models import ApiKey, Robot
    from croody_core import scopes

    call_command("migrate", verbosity=0)
    User = get_user_model()
    out: dict = {"users": {}, "robots": {}, "keys": {}}

    def user(name: str, **extra) -> object:
        made = User.objects.create_user(name, f"{name}@example.com", "x" * 12, **extra)
        out["users"][name] = made.pk
        return made

    def key(label: str | None, owner, granted: list[str], bound: Robot | None = None) -> dict:
        api_key, secret = ApiKey.objects.issue(
            user=owner, scopes=granted, name=label or "probe", robot=bound
        )
        made = {"key": secret, "prefix": api_key.prefix}
        if label:
            out["keys"][label] = made
        return made

    ana, staff = user("ana"), user("sam", is_staff=True)
    rover = Robot.objects.create(owner=ana, name="ana-rover-1")
    out["robots"][rover.name] = rover.robot_id
    key("ana1_write", ana, [scopes.SCOPE_TELEMETRY_WRITE], rover)
    key("ana_read", ana, [scopes.SCOPE_TELEMETRY_READ])
    key("staff_read", staff, [scopes.SCOPE_TELEMETRY_READ])  # staff read every robot
    key("staff_ids", staff, [scopes.SCOPE_IDS_SCORE])
    out["probe_keys"] = [
        key(None, ana, [scopes.SCOPE_TELEMETRY_WRITE], rover) for _ in range(PROBE_KEYS)
    ]
    out["ids_probe_keys"] = [
        key(None, staff, [scopes.SCOPE_IDS_SCORE]) for _ in range(IDS_PROBE_KEYS)
    ]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
