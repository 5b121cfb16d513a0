"""Build a real CMS database for the IDS API tests, in a subprocess.

`python tests/ids/service/accounts_seed.py` with DATABASE_URL set: applies the CMS migrations
the key tables need, then issues keys through the CMS's own model (`ApiKey.objects.issue`)
and prints them as JSON, as the profile page would show them once.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from cms.accounts.models import ApiKey
    from croody_core import scopes

    call_command("migrate", verbosity=0)  # the whole CMS: it serves /internal/ from here
    User = get_user_model()
    ana = User.objects.create_user("ana", "ana@example.com", "x" * 12)
    sam = User.objects.create_user("sam", "sam@example.com", "x" * 12)
    ops = User.objects.create_user("ops", "ops@example.com", "x" * 12, is_staff=True)
    # A key's scopes count only within what its owner may hold: ana is an analyst.
    ana.groups.add(Group.objects.get(name=scopes.ANALYST_GROUP))
    out: dict = {"users": {"ana": ana.pk, "sam": sam.pk, "ops": ops.pk}, "keys": {}}

    def key(label: str, owner: object, scopes: list[str]) -> None:
        api_key, secret = ApiKey.objects.issue(user=owner, scopes=scopes, name=label)
        out["keys"][label] = {"key": secret, "prefix": api_key.prefix}

    key("scorer", sam, [scopes.SCOPE_IDS_SCORE])
    key("analyst", ana, [scopes.SCOPE_IDS_ANALYST])
    key("both", ana, [scopes.SCOPE_IDS_SCORE, scopes.SCOPE_IDS_ANALYST])
    key("replay", sam, [scopes.SCOPE_IDS_SCORE])
    key("telemetry", ana, [scopes.SCOPE_TELEMETRY_READ])
    key("models", ops, [scopes.SCOPE_IDS_MODELS, scopes.SCOPE_IDS_ANALYST])
    # Issued before the rules below; they still may not promote or read as analysts.
    key("analyst_models", ana, [scopes.SCOPE_IDS_MODELS, scopes.SCOPE_IDS_ANALYST])
    key("scorer_analyst", sam, [scopes.SCOPE_IDS_SCORE, scopes.SCOPE_IDS_ANALYST])
    key("revoked", sam, [scopes.SCOPE_IDS_SCORE])
    ApiKey.objects.get(prefix=out["keys"]["revoked"]["prefix"]).revoke()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
