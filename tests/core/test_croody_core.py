"""croody_core: the contract both sides rely on, and the rule that keeps it framework-free."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from croody_core import keys, session
from croody_core.introspection import KeyRecord, Owner, RecordError, authorized
from croody_core.scopes import SCOPE_TELEMETRY_WRITE, session_scopes

CORE = Path(__file__).resolve().parents[2] / "croody_core"
SECRET = "a-session-secret-for-these-tests-0123456789"


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda path: path.name)
def test_croody_core_imports_only_the_standard_library_and_itself(path: Path) -> None:
    foreign = imported_roots(path) - set(sys.stdlib_module_names) - {"croody_core"}
    assert not foreign, f"{path.name} imports {sorted(foreign)}"


def record(**changes) -> tuple[KeyRecord, str]:
    new = keys.generate_key()
    values = {
        "prefix": new.prefix,
        "key_hash": new.key_hash,
        "scopes": (SCOPE_TELEMETRY_WRITE,),
        "robot_id": "rover-1-abc123",
        "revoked": False,
        "owner": Owner(7, True, False, frozenset({"g"}), frozenset({"rover-1-abc123"})),
    } | changes
    return KeyRecord(**values), new.key


def test_a_key_record_survives_the_wire_and_admits_only_its_key() -> None:
    sent, key = record()
    received = KeyRecord.from_json(sent.to_json())
    assert received == sent
    assert received.admits(key)
    assert not received.admits(keys.generate_key(sent.prefix).key)  # same prefix, other secret
    assert not received.admits("crd_short")


@pytest.mark.parametrize(
    "change",
    [{"revoked": True}, {"owner": Owner(7, False, False, frozenset(), frozenset())}],
    ids=["revoked", "owner inactive"],
)
def test_revoked_keys_and_inactive_owners_are_not_admitted(change) -> None:
    sent, key = record(**change)
    assert not KeyRecord.from_json(sent.to_json()).admits(key)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data.pop("key_hash"),
        lambda data: data.update(scopes=["admin:all"]),
        lambda data: data.update(revoked="no"),
        lambda data: data["owner"].update(user_id="7"),
        lambda data: data["owner"].update(robots=[1, 2]),
        lambda data: data.update(owner=None),
    ],
)
def test_malformed_records_are_refused(damage) -> None:
    data = record()[0].to_json()
    damage(data)
    with pytest.raises(RecordError):
        KeyRecord.from_json(data)


def test_the_internal_secret_is_checked_exactly() -> None:
    secret = "s" * 40
    assert authorized(f"Bearer {secret}", secret)
    assert authorized(f"bearer {secret}", secret)
    for header in (None, "", secret, f"Basic {secret}", f"Bearer {secret}x", "Bearer "):
        assert not authorized(header, secret), header
    assert not authorized("Bearer ", "")  # no secret configured: nobody gets in


def test_a_minted_token_states_the_robots_and_a_browser_token_does_not() -> None:
    minted = session.issue_token(
        user_id=3, is_staff=False, groups=[], secret=SECRET, robots=["b", "a"]
    )
    claims = session.verify_token(minted, SECRET)
    assert claims is not None and claims.robots == frozenset({"a", "b"})
    browser = session.issue_token(user_id=3, is_staff=False, groups=[], secret=SECRET)
    assert session.verify_token(browser, SECRET).robots is None


def test_session_scopes() -> None:
    assert session_scopes(False, []) == {"telemetry:read"}
    assert session_scopes(False, ["IDS analysts"]) == {"telemetry:read", "ids:analyst"}
    assert "telemetry:write" in session_scopes(True, [])
