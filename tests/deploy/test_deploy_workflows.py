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
    assert "make system-packages" in runs  # chromium among the Makefile's packages
    assert "-m e2e" in runs
    assert "playwright install" not in runs


def _makefile_system_packages() -> set[str]:
    text = (WORKFLOWS.parents[1] / "Makefile").read_text()
    value = re.search(r"^SYSTEM_PACKAGES := ((?:.*\\\n)*.*)$", text, re.M).group(1)
    return {entry.rsplit(":", 1)[1] for entry in value.replace("\\\n", " ").split()}


@pytest.mark.parametrize("name", ["test", "e2e"])
def test_ci_installs_the_makefiles_system_packages(name):
    """`make test` stops when one of SYSTEM_PACKAGES is missing and it is not root: the
    workflows let make install exactly that list (as root) rather than keep a copy."""
    assert _makefile_system_packages() == {
        "chromium",
        "nginx-light",
        "libnginx-mod-http-brotli-filter",
        "gettext-base",
        "gettext",
        "openssl",
        "fonts-noto-cjk",
        "fonts-noto-core",
    }
    runs = _runs(_load(name))
    install = "sudo make system-packages" if name == "test" else "make system-packages"
    assert install in runs
    # checkov comes from make's .venv-checkov/.installed (requirements-checkov.lock).
    assert "checkov" not in runs


def test_i18n_runs_the_translation_tests():
    workflow = _load("i18n")
    runs = _runs(workflow)
    assert "make .venv/.installed" in runs
    assert ".venv/bin/pytest tests/test_translations.py" in runs
    assert "compilemessages" in runs
    # The tests compare msgids with a fresh extraction, not whole files with `#:` lines.
    assert "git diff" not in runs


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
        "aws ecs run-task",
        "aws ecs wait services-stable",
        "curl --fail",
    ):
        assert command in runs, command
    rollback = [step for step in deploy["steps"] if "update-service" in step.get("run", "")]
    assert len(rollback) == 1 and rollback[0]["if"].startswith("failure()")
    assert "steps.apply.outcome" in rollback[0]["if"]
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_deploy_runs_the_release_terraform_owns_before_the_rollout():
    """The release task definition comes from Terraform (with the secrets it needs), is
    applied first on its own, runs, and only then does the full apply roll the services."""
    steps = _load("deploy")["jobs"]["deploy"]["steps"]
    runs = [step.get("run", "") for step in steps]

    def index(predicate) -> int:
        found = [number for number, run in enumerate(runs) if predicate(run)]
        assert len(found) == 1, found
        return found[0]

    release_apply = index(
        lambda run: (
            "terraform apply" in run
            and "-target='module.service[\"cms\"].aws_ecs_task_definition.release'" in run
        )
    )
    release = index(lambda run: "aws ecs run-task" in run)
    rollout = index(lambda run: "terraform apply" in run and "-target" not in run)
    stable = index(lambda run: "services-stable" in run and "update-service" not in run)
    health = index(lambda run: "curl --fail" in run)
    assert release_apply < release < rollout < stable < health
    assert "terraform output -raw cms_release_task_definition_arn" in runs[release]
    # No copy of the running definition: it may lack what the new release needs.
    assert "register-task-definition" not in "\n".join(runs)
    assert 'describe-task-definition --task-definition "$CMS_DEFINITION"' not in runs[release]
    assert steps[rollout]["id"] == "apply"


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
