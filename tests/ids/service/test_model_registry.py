"""The model registry: versions with their cards and hashes, promote, shadow and roll back
(from the API and the command), predictions that record the version that made them, and the
feedback loop from analysts' labels to a new version's card."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, inspect, update

from apis.common.database import make_engine
from apis.ids import migrate, registry
from apis.ids.artifact import (
    DEFAULT_MODEL_DIR,
    METADATA_NAME,
    ArtifactIntegrityError,
    read_metadata,
    sha256_bytes,
)
from apis.ids.records import sha256_text
from apis.ids.scoring import IdsModel
from apis.ids.serving import Serving
from croody_core.errors import ERROR_CODES
from tests.servers import Server, fresh_database_url

from ..support import REPO_ROOT, dataset_records, neptune_record, normal_record, subsample
from .conftest import Seeded, start_ids

SHIPPED = json.loads((DEFAULT_MODEL_DIR / METADATA_NAME).read_text())["version"]
CANDIDATE = "1.1.0-strict"


def candidate_dir(tmp_path: Path, version: str = CANDIDATE, threshold: float = 0.97) -> Path:
    """Another version: the committed forest with a much stricter alert threshold, so its
    verdicts differ from the shipped version's on borderline records."""
    out = tmp_path / version
    shutil.copytree(DEFAULT_MODEL_DIR, out)
    card = json.loads((out / METADATA_NAME).read_text())
    card |= {"version": version, "threshold": threshold}
    (out / METADATA_NAME).write_text(json.dumps(card))
    return out


def test_a_fresh_database_serves_the_shipped_model_and_says_so(
    registry_engine: Engine, serving: Serving
) -> None:
    assert serving.active.model is not None and serving.active.model.version == SHIPPED
    current = registry.state(registry_engine)
    assert (current.active, current.shadow, current.previous) == (SHIPPED, None, None)
    (stored,) = registry.versions(registry_engine)
    data = (DEFAULT_MODEL_DIR / stored.card["artifact"]["file"]).read_bytes()
    assert stored.sha256 == sha256_bytes(data) == stored.card["artifact"]["sha256"]
    assert stored.size_bytes == len(data) and stored.registered_by == registry.DEPLOYMENT
    actions = [(e.action, e.version, e.by) for e in reversed(registry.events(registry_engine))]
    assert actions == [("register", SHIPPED, "deployment"), ("promote", SHIPPED, "deployment")]
    # A restart registers nothing twice and keeps the state.
    Serving(registry_engine, DEFAULT_MODEL_DIR).start()
    assert len(registry.events(registry_engine)) == 2


def test_promote_shadow_and_roll_back(
    registry_engine: Engine, serving: Serving, tmp_path: Path
) -> None:
    stored, new = registry.register(registry_engine, candidate_dir(tmp_path), by="user:7")
    assert new and stored.version == CANDIDATE
    assert (
        registry.register(registry_engine, candidate_dir(tmp_path / "again"), by="user:7")[1]
        is False
    )

    registry.set_shadow(registry_engine, CANDIDATE, by="user:7")
    serving.refresh()
    assert serving.shadow is not None and serving.shadow.version == CANDIDATE
    assert serving.active.model is not None and serving.active.model.version == SHIPPED

    promoted = registry.promote(registry_engine, CANDIDATE, by="user:7")
    # Promoting the shadow version takes it out of the shadow slot.
    assert (promoted.active, promoted.shadow, promoted.previous) == (CANDIDATE, None, SHIPPED)
    serving.refresh()
    assert serving.active.model is not None and serving.active.model.threshold == 0.97
    assert serving.shadow is None

    back = registry.rollback(registry_engine, by="user:8")
    assert (back.active, back.previous) == (SHIPPED, CANDIDATE)
    again = registry.rollback(registry_engine, by="user:8")  # undoes the rollback
    assert (again.active, again.previous) == (CANDIDATE, SHIPPED)
    actions = [(e.action, e.version, e.previous) for e in registry.events(registry_engine)][:4]
    assert actions == [
        ("rollback", CANDIDATE, SHIPPED),
        ("rollback", SHIPPED, CANDIDATE),
        ("promote", CANDIDATE, SHIPPED),
        ("shadow", CANDIDATE, None),
    ]


def test_changes_that_make_no_sense_are_refused(registry_engine: Engine, serving: Serving) -> None:
    with pytest.raises(registry.RegistryError, match="no earlier version"):
        registry.rollback(registry_engine, by="t")
    with pytest.raises(registry.RegistryError, match="already the active"):
        registry.promote(registry_engine, SHIPPED, by="t")
    with pytest.raises(registry.UnknownVersion):
        registry.promote(registry_engine, "9.9.9", by="t")
    with pytest.raises(registry.RegistryError, match="cannot also shadow"):
        registry.set_shadow(registry_engine, SHIPPED, by="t")
    with pytest.raises(registry.RegistryError, match="No version runs in shadow"):
        registry.clear_shadow(registry_engine, by="t")
    assert registry.state(registry_engine).active == SHIPPED


def test_a_version_name_always_means_one_artifact(
    registry_engine: Engine, serving: Serving
) -> None:
    card = registry.card(registry_engine, SHIPPED)
    other = b"not the registered artifact"
    card["artifact"] |= {"sha256": sha256_bytes(other)}
    with pytest.raises(registry.RegistryError, match="another artifact"):
        registry.register_bytes(registry_engine, other, card, None, by="t")


def test_a_stored_artifact_altered_in_the_database_is_refused(
    registry_engine: Engine, serving: Serving, tmp_path: Path
) -> None:
    registry.register(registry_engine, candidate_dir(tmp_path), by="t")
    with registry_engine.begin() as connection:
        connection.execute(
            update(registry.model_versions)
            .where(registry.model_versions.c.version == CANDIDATE)
            .values(artifact=b"tampered")
        )
    with pytest.raises(ArtifactIntegrityError, match="integrity check"):
        registry.load_model(registry_engine, CANDIDATE)
    # Promoted anyway, it is refused by the service, which then says why instead of serving.
    registry.promote(registry_engine, CANDIDATE, by="t")
    serving.refresh()
    assert serving.active.model is None and "integrity check" in (serving.active.error or "")


def test_the_command_lists_registers_promotes_and_rolls_back(
    registry_engine: Engine, serving: Serving, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = registry_engine.url.render_as_string(hide_password=False)
    base = ["--database-url", url, "--by", "ops"]
    assert registry.main([*base, "register", str(candidate_dir(tmp_path))]) == 0
    assert f"registered: {CANDIDATE}" in capsys.readouterr().out
    assert registry.main([*base, "promote", CANDIDATE]) == 0
    out = capsys.readouterr().out
    assert f"{CANDIDATE:<12} active" in out and f"{SHIPPED:<12} previous" in out
    assert registry.main([*base, "rollback"]) == 0
    assert f"{SHIPPED:<12} active" in capsys.readouterr().out
    assert registry.main([*base, "promote", "9.9.9"]) == 1
    assert "No model version '9.9.9'" in capsys.readouterr().err
    assert registry.events(registry_engine)[0].by == "ops"


# -- through the API, on a real service -------------------------------------------------

PREDICT, MODELS = "/api/ids/predict", "/api/ids/models"


@pytest.fixture(scope="module")
def registry_api(tmp_path_factory: pytest.TempPathFactory, accounts: Seeded) -> Iterator[Server]:
    var = tmp_path_factory.mktemp("ids-registry")
    url = fresh_database_url("ids_registry_api") or f"sqlite:///{var / 'ids.sqlite3'}"
    server = start_ids(var, accounts, url)
    engine = make_engine(url)
    try:
        registry.register(engine, candidate_dir(var), by="ci")
    finally:
        engine.dispose()
    yield server
    server.stop()


def _client(server: Server, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60
    )


def test_only_staff_keys_with_ids_models_may_change_versions(
    registry_api: Server, accounts: Seeded
) -> None:
    for label in ("analyst", "analyst_models", "scorer"):
        with _client(registry_api, accounts.key(label)) as http:
            response = http.post(f"{MODELS}/{CANDIDATE}/promote")
        assert response.status_code == 403, label
        assert "ids:models" in response.json()["message"]
    # A non-analyst's key that names ids:analyst does not read analysts' data either.
    with _client(registry_api, accounts.key("scorer_analyst")) as http:
        assert http.get(MODELS).status_code == 403
    with _client(registry_api, accounts.key("analyst")) as http:
        listed = http.get(MODELS).json()
    assert listed["active"] == SHIPPED
    assert {v["version"]: v["status"] for v in listed["versions"]} == {
        SHIPPED: "active",
        CANDIDATE: "inactive",
    }


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", f"{MODELS}/9.9.9/promote", 404),
        ("PUT", f"{MODELS}/shadow/9.9.9", 404),
        ("POST", f"{MODELS}/{SHIPPED}/promote", 409),
        ("DELETE", f"{MODELS}/shadow", 409),
        ("POST", f"{MODELS}/..%2F..%2Fetc/promote", 404),
        ("POST", f"{MODELS}/{'x' * 33}/promote", 422),
        ("POST", f"{MODELS}/a%00b/promote", 422),
        ("GET", f"{MODELS}/9.9.9", 404),
        ("GET", "/api/ids/model/confusion-matrix.svg?version=a%00b", 422),
        ("GET", "/api/ids/model/confusion-matrix.svg?version=9.9.9", 404),
    ],
)
def test_bad_registry_requests_get_a_clear_4xx(
    registry_api: Server, accounts: Seeded, method: str, path: str, status: int
) -> None:
    with _client(registry_api, accounts.key("models")) as http:
        response = http.request(method, path)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == ERROR_CODES[status] and body["message"]


def test_shadow_then_promote_then_roll_back_over_http(
    registry_api: Server, accounts: Seeded
) -> None:
    records = [neptune_record(), normal_record(), normal_record() | {"service": "quic"}]
    with (
        _client(registry_api, accounts.key("models")) as ops,
        _client(registry_api, accounts.key("both")) as analyst,
    ):
        shadowed = ops.put(f"{MODELS}/shadow/{CANDIDATE}")
        assert shadowed.status_code == 200 and shadowed.json()["shadow"] == CANDIDATE
        served = analyst.post(PREDICT, json={"records": records}).json()
        # The shadow scores and stores; the answer is the active version's alone.
        assert served["model_version"] == SHIPPED
        assert {p["model_version"] for p in served["predictions"]} == {SHIPPED}

        listed = ops.get(MODELS).json()
        comparison = {v["version"]: v for v in listed["versions"]}[CANDIDATE]["shadow_comparison"]
        assert comparison["scored"] == len(records)
        served_alerts = sum(p["verdict"] == "attack" for p in served["predictions"])
        assert comparison["served_alerts"] == served_alerts

        promoted = ops.post(f"{MODELS}/{CANDIDATE}/promote").json()
        assert (promoted["active"], promoted["shadow"], promoted["previous"]) == (
            CANDIDATE,
            None,
            SHIPPED,
        )
        after = analyst.post(PREDICT, json={"records": records}).json()
        assert after["model_version"] == CANDIDATE and after["threshold"] == 0.97
        card = analyst.get("/api/ids/model").json()
        assert card["version"] == CANDIDATE

        # The earlier prediction is still explained by the version that made it.
        first = served["predictions"][0]["id"]
        detail = analyst.get(f"/api/ids/predictions/{first}").json()
        assert detail["model_version"] == SHIPPED
        assert detail["explanation"]["available"] is True

        rolled = ops.post(f"{MODELS}/rollback").json()
        assert rolled["active"] == SHIPPED
        assert analyst.post(PREDICT, json=records[0]).json()["model_version"] == SHIPPED
        actions = [(e["action"], e["by"]) for e in rolled["events"][:3]]
        models_source = accounts.source("models")
        assert actions == [
            ("rollback", models_source),
            ("promote", models_source),
            ("shadow", models_source),
        ]


def test_the_registry_migration_keeps_predictions_and_goes_back(registry_engine: Engine) -> None:
    from .test_triage import _downgrade

    _downgrade(registry_engine, "0003")
    assert "ids_model_versions" not in inspect(registry_engine).get_table_names()
    migrate.upgrade(registry_engine)
    assert migrate.current_revision(registry_engine) == "0004"
    tables = set(inspect(registry_engine).get_table_names())
    assert {"ids_model_versions", "ids_model_state", "ids_shadow_predictions"} <= tables


# -- the feedback loop: labels -> export -> train -> card ---------------------------------


def test_analysts_labels_train_a_new_version_whose_card_measures_them(
    registry_api: Server, accounts: Seeded, tmp_path: Path
) -> None:
    warez, normal = dataset_records("warezclient", 12), dataset_records("normal", 12)
    with _client(registry_api, accounts.key("both")) as analyst:
        since = analyst.get("/api/ids/stats").json()["until"]
        served = analyst.post(PREDICT, json={"records": warez + normal}).json()["predictions"]
        for prediction, label in zip(
            served, ["confirmed_attack"] * 12 + ["benign_expected"] * 12, strict=True
        ):
            answer = analyst.put(
                f"/api/ids/predictions/{prediction['id']}/triage", json={"label": label}
            )
            assert answer.status_code == 200
        export = analyst.get(
            "/api/ids/predictions", params={"label": "labelled", "format": "csv", "since": since}
        )
    assert export.status_code == 200
    supplement = tmp_path / "labels.csv"
    supplement.write_bytes(export.content)

    out = tmp_path / "model"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "apis.ids.ml.train",
            "--data",
            str(subsample(tmp_path / "train.csv")),
            "--candidates",
            "random_forest",
            "--feedback",
            str(supplement),
            "--version",
            "1.2.0-labels",
            "--out",
            str(out),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "measuring random_forest on 24 labelled cases" in proc.stderr
    card = read_metadata(out)
    feedback = card["feedback"]
    assert feedback["rows"] == 24 and feedback["sha256"] == sha256_text(supplement)
    assert feedback["label_counts"] == {"benign_expected": 12, "confirmed_attack": 12}
    assert feedback["trained_as"]["normal"] == 12
    assert sum(n for c, n in feedback["trained_as"].items() if c != "normal") == 12
    caught = sum(p["verdict"] == "attack" for p in served[:12])
    raised = sum(p["verdict"] == "attack" for p in served[12:])
    assert feedback["served"]["confirmed_attacks_detected"] == caught
    assert feedback["served"]["alerts_on_false_positives_and_benign"] == raised
    measured = feedback["this_version"]
    assert 0.0 <= measured["detection_rate_on_confirmed"] <= 1.0
    assert measured["method"].startswith("5-fold")
    # The labelled rows joined the fit: the new version serves, under its own name.
    assert card["dataset"]["rows"] == len((tmp_path / "train.csv").read_text().splitlines())
    assert IdsModel.load(out).version == "1.2.0-labels"
