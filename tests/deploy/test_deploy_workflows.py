"""GitHub Actions workflows: actionlint, pinned actions, least privilege, and
that each of the seven does what the design says."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
SEVEN = ["test", "e2e", "build", "deploy", "i18n", "security", "docs"]
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")
# The only write scopes a job may ask for: OIDC to AWS and publishing Pages.
ALLOWED_WRITES = {"id-token", "pages"}


def _load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / f"{name}.yml").read_text())


def _text(name: str) -> str:
    return (WORKFLOWS / f"{name}.yml").read_text()


def _steps(workflow: dict):
    for job in workflow["jobs"].values():
        yield from job.get("steps", [])


def _runs(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in _steps(workflow))


def test_the_seven_workflows_exist():
    assert sorted(path.stem for path in WORKFLOWS.glob("*.yml")) == sorted(SEVEN)


def test_actionlint(tool):
    result = subprocess.run(
        [tool("actionlint"), "-no-color", *sorted(str(path) for path in WORKFLOWS.glob("*.yml"))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", SEVEN)
def test_actions_are_pinned_to_commit_shas(name):
    uses = re.findall(r"^\s*(?:-\s+)?uses:\s*(.+?)\s*$", _text(name), re.M)
    assert uses
    for reference in uses:
        if reference.startswith("./"):
            continue
        assert PINNED.match(reference), (
            f"{name}: {reference} is not pinned as owner/repo@<sha> # vX"
        )


@pytest.mark.parametrize("name", SEVEN)
def test_permissions_are_least_privilege(name):
    workflow = _load(name)
    assert workflow["permissions"] == {"contents": "read"}
    for job_name, job in workflow["jobs"].items():
        for scope, level in (job.get("permissions") or {}).items():
            assert level in ("read", "write", "none"), (job_name, scope)
            if level == "write":
                assert scope in ALLOWED_WRITES, f"{name}.{job_name} writes {scope}"


@pytest.mark.parametrize("name", SEVEN)
def test_checkout_does_not_keep_the_token(name):
    for step in _steps(_load(name)):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_test_workflow_uses_service_containers_and_ci_script():
    workflow = _load("test")
    services = workflow["jobs"]["test"]["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "bash .ci/run" in _runs(workflow)


def test_e2e_uses_system_chromium():
    workflow = _load("e2e")
    job = workflow["jobs"]["e2e"]
    assert job["env"]["CHROMIUM"] == "/usr/bin/chromium"
    assert job["env"]["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] == "1"
    runs = _runs(workflow)
    assert "apt-get install" in runs and "chromium" in runs
    assert "-m e2e" in runs
    assert "playwright install" not in runs


def test_build_uses_the_layer_cache_for_every_image():
    workflow = _load("build")
    images = {item["image"] for item in workflow["jobs"]["build"]["strategy"]["matrix"]["include"]}
    assert images == {"cms", "telemetry", "ids", "gateway"}
    build = next(s for s in _steps(workflow) if "build-push-action" in s.get("uses", ""))
    assert build["with"]["cache-from"].startswith("type=gha")
    assert build["with"]["cache-to"].startswith("type=gha")


def test_deploy_has_approval_plan_apply_health_and_rollback():
    workflow = _load("deploy")
    deploy = workflow["jobs"]["deploy"]
    assert deploy["environment"]["name"] == "production"
    assert deploy["needs"] == "plan"
    runs = _runs(workflow)
    for command in (
        "terraform plan",
        "terraform apply",
        "croody-release",
        "aws ecs wait services-stable",
        "curl --fail",
    ):
        assert command in runs, command
    rollback = [step for step in deploy["steps"] if "update-service" in step.get("run", "")]
    assert len(rollback) == 1 and rollback[0]["if"].startswith("failure()")
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_i18n_checks_up_to_date_complete_and_compiling():
    runs = _runs(_load("i18n"))
    assert "makemessages" in runs and "git diff --exit-code" in runs
    assert "untranslated_entries" in runs and "fuzzy_entries" in runs
    assert "compilemessages" in runs
    locales = _load("i18n")["env"]["LOCALES"].split()
    assert sorted(locales) == sorted(["es", "en", "fr", "pt", "ar", "zh_Hans", "ja", "hi"])


def test_security_runs_every_scanner():
    workflow = _load("security")
    runs = _runs(workflow)
    for command in ("pip-audit", "bandit", "checkov"):
        assert command in runs, command
    assert any("trivy-action" in step.get("uses", "") for step in _steps(workflow))
    assert "schedule" in (workflow.get("on") or workflow.get(True))


def test_docs_builds_and_publishes_only_from_main():
    workflow = _load("docs")
    publish = workflow["jobs"]["publish"]
    assert "refs/heads/main" in publish["if"]
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}
    assert "openapi" in _runs(workflow)
