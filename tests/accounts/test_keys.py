"""cms/accounts/keys.py: framework-free, so the APIs can verify keys the CMS issues."""

import ast
import hashlib
import re
from pathlib import Path

import pytest

from croody_core import keys
from croody_core import scopes as key_scopes


def test_generated_key_has_the_documented_format():
    new = keys.generate_key()
    assert re.fullmatch(r"crd_[a-z0-9]{8}_[A-Za-z0-9_-]{43}", new.key)
    assert new.key.split("_", 2)[1] == new.prefix
    assert new.key_hash == hashlib.sha256(new.key.encode()).hexdigest()
    assert new.key not in new.key_hash


def test_keys_are_unique_and_random():
    generated = [keys.generate_key() for _ in range(200)]
    assert len({new.key for new in generated}) == 200
    assert len({new.prefix for new in generated}) == 200


def test_parse_key_finds_the_prefix_even_when_the_secret_contains_underscores():
    key = "crd_abcd1234_" + "_-" * 21 + "x"
    parsed = keys.parse_key(key)
    assert parsed == keys.ParsedKey(prefix="abcd1234", secret="_-" * 21 + "x")
    assert keys.parse_key(f"  {key}\n") == parsed


@pytest.mark.parametrize(
    "value",
    [
        "",
        "crd_abcd1234",
        "crd_ABCD1234_" + "a" * 43,  # prefix alphabet is lowercase
        "xyz_abcd1234_" + "a" * 43,
        "crd_abcd123_" + "a" * 43,
        "crd_abcd1234_" + "a" * 42,
        "crd_abcd1234_" + "a" * 42 + "!",
        None,
    ],
)
def test_parse_key_rejects_malformed_keys(value):
    assert keys.parse_key(value) is None


def test_verify_key_accepts_the_key_and_nothing_else():
    new = keys.generate_key()
    assert keys.verify_key(new.key, new.key_hash)
    other = keys.generate_key(prefix=new.prefix)
    assert not keys.verify_key(other.key, new.key_hash)
    assert not keys.verify_key(new.key[:-1] + ("A" if new.key[-1] != "A" else "B"), new.key_hash)
    assert not keys.verify_key(new.key, "")
    assert not keys.verify_key("not a key", keys.hash_key("not a key"))


def test_revoked_key_fails_verification():
    new = keys.generate_key()
    assert not keys.verify_key(new.key, new.key_hash, revoked=True)


def test_verification_compares_in_constant_time(monkeypatch):
    calls = []
    real = keys.hmac.compare_digest
    monkeypatch.setattr(
        keys.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b)
    )
    new = keys.generate_key()
    assert keys.verify_key(new.key, new.key_hash)
    assert calls == [(new.key_hash, new.key_hash)]


def test_scopes_are_validated_and_canonical():
    assert key_scopes.format_scopes(["ids:score", "telemetry:read", "ids:score"]) == (
        "ids:score,telemetry:read"
    )
    assert key_scopes.parse_scopes("telemetry:write, ids:analyst") == (
        "ids:analyst",
        "telemetry:write",
    )
    assert key_scopes.has_scope("ids:score,telemetry:read", "telemetry:read")
    assert not key_scopes.has_scope("ids:score", "ids:analyst")
    with pytest.raises(ValueError, match="admin:all"):
        key_scopes.parse_scopes("ids:score,admin:all")
    assert set(key_scopes.SCOPES) == {
        "telemetry:write",
        "telemetry:read",
        "ids:score",
        "ids:analyst",
        "ids:models",
    }


def test_module_imports_nothing_but_the_standard_library():
    tree = ast.parse(Path(keys.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= {
        "__future__",
        "hashlib",
        "hmac",
        "re",
        "secrets",
        "collections",
        "dataclasses",
    }


def test_keys_carry_only_the_scopes_their_owner_may_hold():
    everyone = key_scopes.grantable_scopes(False, [])
    assert "ids:analyst" not in everyone and "ids:models" not in everyone
    assert {"telemetry:write", "telemetry:read", "ids:score"} <= everyone
    analyst = key_scopes.grantable_scopes(False, [key_scopes.ANALYST_GROUP])
    assert "ids:analyst" in analyst and "ids:models" not in analyst
    assert key_scopes.grantable_scopes(True, []) == set(key_scopes.SCOPES)


@pytest.mark.django_db
def test_the_key_form_offers_only_the_scopes_the_user_may_hold(django_user_model):
    from django.contrib.auth.models import Group

    from cms.accounts.forms import ApiKeyForm

    user = django_user_model.objects.create_user("visitor", password="pw-visitor-123")

    def offered() -> set[str]:
        return {value for value, _label in ApiKeyForm(user=user).fields["scopes"].choices}

    assert offered() == {"telemetry:write", "telemetry:read", "ids:score"}
    user.groups.add(Group.objects.get(name=key_scopes.ANALYST_GROUP))
    assert offered() == {"telemetry:write", "telemetry:read", "ids:score", "ids:analyst"}
    user.is_staff = True
    assert offered() == set(key_scopes.SCOPES)
    # A forged submission of a scope not offered is refused like any unknown choice.
    form = ApiKeyForm(
        {"key-name": "x", "key-scopes": ["ids:models"]}, user=django_user_model(pk=user.pk)
    )
    assert not form.is_valid() and "scopes" in form.errors
