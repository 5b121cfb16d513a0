"""compose.yaml, its env file, the images and the monitoring provisioning.

There is no Docker engine here: the compose file is resolved by the real
Compose CLI (`config`, which needs no engine), the Dockerfiles are linted
by hadolint and their structure is checked statically.
"""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

APP_DOCKERFILE = "deploy/docker/app.Dockerfile"
GATEWAY_DOCKERFILE = "deploy/nginx/Dockerfile"
LONG_RUNNING = {
    "nginx",
    "cms",
    "telemetry",
    "ids",
    "postgres",
    "redis",
    "objectstore",
    "prometheus",
    "grafana",
}
ONE_SHOT = {"cms-init", "objectstore-init"}
OPTIONAL = {"simulator": "simulator", "ids-replay": "demo"}  # service: its profile
PROFILES = tuple(sorted(set(OPTIONAL.values())))
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY(S)?$|ACCESS_KEY")
# Each service's database: its URL's variable, role and database name.
DATABASES = {
    "cms": ("DATABASE_URL", "croody_cms", "croody"),
    "telemetry": ("TELEMETRY_DATABASE_URL", "croody_telemetry", "telemetry"),
    "ids": ("IDS_DATABASE_URL", "croody_ids", "ids"),
}
PORTS = {"cms": 8000, "telemetry": 9000, "ids": 9100}


def _ensure_databases(repo: Path):
    """deploy/docker/ensure_databases.py as a module (it is a script in the image)."""
    path = repo / "deploy/docker/ensure_databases.py"
    spec = importlib.util.spec_from_file_location("ensure_databases", path)
    loaded = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, loaded)
    spec.loader.exec_module(loaded)
    return sys.modules[spec.name]


def _compose(
    repo: Path, tool, env_file: Path, profiles: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            tool("docker-compose"),
            "--env-file",
            str(env_file),
            "-f",
            str(repo / "compose.yaml"),
            *(argument for profile in profiles for argument in ("--profile", profile)),
            "config",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        cwd=repo,
        timeout=60,
    )


@pytest.fixture(scope="module")
def resolved(repo, tool) -> dict:
    """Every service, those of optional profiles included."""
    result = _compose(repo, tool, repo / ".env.compose.example", PROFILES)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def resolved_default(repo, tool) -> dict:
    """What a plain `docker compose up` starts."""
    result = _compose(repo, tool, repo / ".env.compose.example")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def raw(repo) -> dict:
    return yaml.safe_load((repo / "compose.yaml").read_text())


def _env_example(repo: Path) -> dict[str, str]:
    values = {}
    for line in (repo / ".env.compose.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def test_all_services_are_defined(resolved, resolved_default):
    assert set(resolved["services"]) == LONG_RUNNING | ONE_SHOT | set(OPTIONAL)
    # Demo traffic only when asked for: docker compose --profile simulator up
    assert set(resolved_default["services"]) == LONG_RUNNING | ONE_SHOT
    for name, profile in OPTIONAL.items():
        assert resolved["services"][name]["profiles"] == [profile]


def _run_shell_command(resolved: dict, name: str, tmp_path: Path, **env: str):
    """A service's `sh -c` command as its container runs it ($$ is compose's escape),
    with the service's environment and a `python` that prints its arguments."""
    service = resolved["services"][name]
    assert service["entrypoint"] == ["/bin/sh", "-c"]
    [script] = service["command"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "python").write_text('#!/bin/sh\necho "$@"\n')
    (bin_dir / "python").chmod(0o755)
    return subprocess.run(
        ["sh", "-c", script.replace("$$", "$")],
        env={**service["environment"], **env, "PATH": f"{bin_dir}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=10,
    )


@pytest.mark.parametrize("keys", ["", "rover-1-abc=crd_secret"])
def test_simulator_has_keys_either_way(resolved, tmp_path, keys):
    """With SIMULATOR_API_KEYS it uses them; without, it makes demo robots and keys
    (--create-keys) instead of exiting 2 for lack of keys and restarting forever."""
    environment = resolved["services"]["simulator"]["environment"]
    result = _run_shell_command(resolved, "simulator", tmp_path, SIMULATOR_API_KEYS=keys)
    assert result.returncode == 0, result.stderr
    arguments = result.stdout.split()
    assert arguments[:2] == ["-m", "apis.telemetry.simulator"]
    assert arguments[arguments.index("--robots") + 1] == environment["SIMULATOR_ROBOTS"]
    if keys:
        assert "--create-keys" not in arguments
    else:
        assert arguments[arguments.index("--user") + 1] == environment["SIMULATOR_USER"]
        assert "--create-keys" in arguments


def test_simulator_can_make_its_demo_keys(resolved):
    simulator = resolved["services"]["simulator"]
    environment = simulator["environment"]
    # demo_robots writes to the CMS database (as the CMS's role: it runs from the CMS
    # image, so the telemetry image never holds CMS credentials) and the keys file to
    # CROODY_VAR_DIR.
    assert simulator["build"]["target"] == "cms"
    assert environment["DATABASE_URL"] == resolved["services"]["cms"]["environment"]["DATABASE_URL"]
    assert environment["DJANGO_SETTINGS_MODULE"].startswith("cms.settings.")
    assert any(
        mount.startswith(environment["CROODY_VAR_DIR"] + ":") for mount in simulator["tmpfs"]
    )
    assert simulator["depends_on"]["cms-init"]["condition"] == "service_completed_successfully"
    # A refused key (exit 2) is not retried forever.
    assert simulator["restart"].startswith("on-failure")


@pytest.mark.parametrize("key", ["", "crd_ids_key"])
def test_ids_replay_needs_a_key_and_replays_the_shipped_records(resolved, tmp_path, key):
    replay = resolved["services"]["ids-replay"]
    # The records are in the image (apis/ids/data/, the replay's default --file): no mount.
    assert not replay.get("volumes")
    result = _run_shell_command(resolved, "ids-replay", tmp_path, IDS_REPLAY_KEY=key)
    if not key:
        assert result.returncode == 2
        assert "IDS_REPLAY_KEY" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    arguments = result.stdout.split()
    assert arguments[:2] == ["-m", "apis.ids.replay"]
    assert arguments[arguments.index("--key") + 1] == key
    assert arguments[arguments.index("--url") + 1] == "http://ids:9100"
    assert "--file" not in arguments
    assert replay["restart"].startswith("on-failure")


def test_release_opt_ins_reach_the_release_step(resolved, repo):
    """Demo content and the admin are opt-ins of croody-release, set for cms-init only."""
    release = (repo / "deploy/docker/croody-release.sh").read_text()
    init = resolved["services"]["cms-init"]["environment"]
    for name in ("CROODY_DEMO_CONTENT", "CROODY_ADMIN_USERNAME", "CROODY_ADMIN_PASSWORD"):
        assert name in release, name
        assert name in init, name
        assert name not in resolved["services"]["cms"]["environment"], name
    assert init["CROODY_DEMO_CONTENT"] == _env_example(repo)["DEMO_CONTENT"]


def test_gateway_body_limits_follow_each_service(resolved):
    environment = resolved["services"]["nginx"]["environment"]
    assert environment["NGINX_CLIENT_MAX_BODY_SIZE"] == "10m"  # the CMS's uploads
    assert environment["NGINX_TELEMETRY_MAX_BODY_SIZE"] == "1m"  # API limit: 256 KB
    assert environment["NGINX_IDS_MAX_BODY_SIZE"] == "33m"  # API limit: 32 MB


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "METRICS_TOKEN",
        "POSTGRES_PASSWORD",
        "INTERNAL_API_SECRET",
        "CMS_DB_PASSWORD",
        "TELEMETRY_DB_PASSWORD",
        "IDS_DB_PASSWORD",
    ],
)
def test_required_secrets_must_be_configured(repo, tool, tmp_path, missing):
    lines = [
        line
        for line in (repo / ".env.compose.example").read_text().splitlines()
        if not line.startswith(f"{missing}=")
    ]
    env_file = tmp_path / "env"
    env_file.write_text("\n".join(lines) + "\n")
    result = _compose(repo, tool, env_file)
    assert result.returncode != 0
    assert missing in result.stderr


def test_every_variable_is_documented_in_the_env_example(repo):
    used = set(re.findall(r"\$\{([A-Z_]+)", (repo / "compose.yaml").read_text()))
    documented = set(_env_example(repo))
    assert used - documented == set()


def test_secrets_are_not_written_into_compose(raw):
    for name, service in raw["services"].items():
        environment = service.get("environment") or {}
        for key, value in environment.items():
            if SECRET_NAME.search(key) and value:
                assert "${" in str(value), f"{name}.{key} is hard-coded"


def test_one_network_for_everything(resolved):
    assert list(resolved["networks"]) == ["croody"]
    for name, service in resolved["services"].items():
        assert list(service["networks"]) == ["croody"], name


def test_only_the_gateway_is_public(resolved):
    for name, service in resolved["services"].items():
        for port in service.get("ports", []):
            if name == "nginx":
                assert port["target"] in (8080, 8443)
            else:
                # Monitoring UIs are for the operator's own machine only.
                assert name in {"grafana", "prometheus"}, name
                assert port["host_ip"] == "127.0.0.1", name
    published = {port["published"] for port in resolved["services"]["nginx"]["ports"]}
    assert published == {"80", "443"}


def test_long_running_services_have_healthchecks(resolved):
    for name in LONG_RUNNING:
        check = resolved["services"][name].get("healthcheck")
        assert check and not check.get("disable"), name
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name


@pytest.mark.parametrize(
    ("service", "dependency", "condition"),
    [
        ("nginx", "cms", "service_healthy"),
        ("nginx", "telemetry", "service_healthy"),
        ("nginx", "ids", "service_healthy"),
        ("nginx", "objectstore", "service_healthy"),
        ("cms-init", "postgres", "service_healthy"),
        ("cms-init", "redis", "service_healthy"),
        ("cms-init", "objectstore-init", "service_completed_successfully"),
        ("objectstore-init", "objectstore", "service_healthy"),
        ("cms", "cms-init", "service_completed_successfully"),
        ("telemetry", "cms-init", "service_completed_successfully"),
        ("ids", "cms-init", "service_completed_successfully"),
        ("simulator", "telemetry", "service_healthy"),
        ("prometheus", "cms", "service_healthy"),
        ("grafana", "prometheus", "service_healthy"),
    ],
)
def test_start_order(resolved, service, dependency, condition):
    assert resolved["services"][service]["depends_on"][dependency]["condition"] == condition


def test_stateful_services_use_named_volumes(resolved):
    expected = {
        "postgres": "/var/lib/postgresql/data",
        "redis": "/data",
        "objectstore": "/data",
        "prometheus": "/prometheus",
        "grafana": "/var/lib/grafana",
    }
    for name, target in expected.items():
        volumes = resolved["services"][name]["volumes"]
        named = [v for v in volumes if v["type"] == "volume" and v["target"] == target]
        assert named, name
        assert named[0]["source"] in resolved["volumes"]


def test_cms_runs_release_steps_before_serving(resolved, repo):
    assert resolved["services"]["cms-init"]["command"] == ["croody-release"]
    release = (repo / "deploy/docker/croody-release.sh").read_text()
    order = [
        release.index("manage.py migrate"),
        release.index("manage.py collectstatic --noinput"),
        release.index("manage.py setup_croody"),
    ]
    assert order == sorted(order)


def test_cms_environment(resolved):
    environment = resolved["services"]["cms"]["environment"]
    assert environment["DJANGO_SETTINGS_MODULE"] == "cms.settings.production"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["REDIS_URL"].startswith("redis://")
    assert environment["AWS_S3_ENDPOINT_URL"] == "http://objectstore:9000"
    for name in (
        "SECRET_KEY",
        "METRICS_TOKEN",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_STATIC_BUCKET_NAME",
    ):
        assert environment[name], name


def test_services_get_only_their_own_secrets(resolved):
    # Least privilege: the API containers and the simulator never see the
    # Django secret key or the object store's root credentials.
    for name in (
        "telemetry",
        "ids",
        "simulator",
        "ids-replay",
        "postgres",
        "redis",
        "prometheus",
        "grafana",
    ):
        environment = resolved["services"][name].get("environment") or {}
        assert "SECRET_KEY" not in environment, name
        assert "AWS_SECRET_ACCESS_KEY" not in environment, name
        assert "DATABASE_ADMIN_URL" not in environment, name
    assert "env_file" not in json.dumps(resolved)


def _database_variables(environment: dict) -> set[str]:
    return {name for name in environment if "DATABASE" in name}


def test_each_service_gets_only_its_own_database(resolved):
    """One role and one database per service; no service sees another's credentials (the
    CMS's included) nor the admin's; only the release step (cms-init) sees them all."""
    admin_password = resolved["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    passwords = {}
    for service, (variable, role, database) in DATABASES.items():
        environment = resolved["services"][service]["environment"]
        assert _database_variables(environment) == {variable}, service
        url = urlsplit(environment[variable])
        assert (url.username, url.path, url.hostname) == (role, f"/{database}", "postgres")
        passwords[service] = url.password
    assert len(set(passwords.values()) | {admin_password}) == 4  # four different passwords
    for name, service in resolved["services"].items():
        environment = service.get("environment") or {}
        assert "ACCOUNTS_DATABASE_URL" not in environment, name
        values = json.dumps(environment)
        if name in ("cms-init", "postgres"):
            continue
        # The admin's password reaches only the server and the release step.
        assert admin_password not in values, name
        assert "DATABASE_ADMIN_URL" not in environment, name
        for owner, password in passwords.items():
            if password in values:
                # Only the service itself (and the simulator, a client of the CMS's).
                assert name == owner or (name, owner) == ("simulator", "cms"), (name, owner)


def test_the_release_step_makes_every_role_and_database(resolved, repo):
    """cms-init's ensure_databases gets the admin on the maintenance database and the very
    URLs the services get, and makes exactly the three roles and databases from them."""
    ensure_databases = _ensure_databases(repo)
    init = resolved["services"]["cms-init"]["environment"]
    admin = urlsplit(init["DATABASE_ADMIN_URL"])
    postgres = resolved["services"]["postgres"]["environment"]
    assert (admin.username, admin.password, admin.path) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        "/postgres",
    )
    targets = ensure_databases.targets(init, init["DATABASE_ADMIN_URL"])
    assert {(t.variable, t.role, t.database) for t in targets} == set(DATABASES.values())
    for service, (variable, _, _) in DATABASES.items():
        assert init[variable] == resolved["services"][service]["environment"][variable]
    assert postgres["POSTGRES_DB"] == DATABASES["cms"][2]
    release = (repo / "deploy/docker/croody-release.sh").read_text()
    order = [
        release.index("ensure_databases.py"),
        release.index("unset DATABASE_ADMIN_URL TELEMETRY_DATABASE_URL IDS_DATABASE_URL"),
        release.index("manage.py migrate"),
    ]
    assert order == sorted(order)


def test_services_call_each_other_on_the_network(resolved, repo):
    """The APIs look keys up at the CMS's /internal/ endpoints, the CMS reads through the
    APIs: container to container, never through nginx, with one shared secret."""
    services = resolved["services"]
    cms, telemetry, ids = (services[name]["environment"] for name in ("cms", "telemetry", "ids"))
    assert telemetry["TELEMETRY_CMS_URL"] == ids["IDS_CMS_URL"] == "http://cms:8000"
    assert cms["TELEMETRY_API_URL"] == "http://telemetry:9000"
    assert cms["IDS_API_URL"] == "http://ids:9100"
    for url, service in (
        (telemetry["TELEMETRY_CMS_URL"], "cms"),
        (cms["TELEMETRY_API_URL"], "telemetry"),
        (cms["IDS_API_URL"], "ids"),
    ):
        parts = urlsplit(url)
        assert (parts.hostname, parts.port) == (service, PORTS[service])
        assert f":{PORTS[service]}/" in json.dumps(services[service]["healthcheck"]["test"])
    # The Host of the APIs' calls.
    assert "cms" in cms["ALLOWED_HOSTS"].split(",")
    secret = cms["INTERNAL_API_SECRET"]
    assert len(secret) >= 32
    assert telemetry["INTERNAL_API_SECRET"] == ids["INTERNAL_API_SECRET"] == secret
    assert telemetry["API_SESSION_SECRET"] == ids["API_SESSION_SECRET"] == cms["API_SESSION_SECRET"]
    # Production settings: the APIs refuse to start without their secrets.
    assert telemetry["CROODY_ENVIRONMENT"] == ids["CROODY_ENVIRONMENT"] == "production"
    # Nothing else gets the internal secret.
    for name, service in services.items():
        if name not in ("cms", "cms-init", "telemetry", "ids"):
            assert secret not in json.dumps(service.get("environment") or {}), name


PROBE_INTERNAL_CALL = """
import django
from django.test import Client

django.setup()
response = Client(raise_request_exception=False).get(
    "/internal/keys/crd_probe/", HTTP_HOST="cms:8000"
)
print(response.status_code, response.get("Location", ""))
"""


def test_the_cms_as_deployed_answers_the_services_plain_http_calls(resolved, repo, tmp_path):
    """The CMS with its compose environment (production settings) answers an API's call
    to /internal/ over plain HTTP on the network: with its own refusal (401, no secret
    presented here), not a redirect to HTTPS (SECURE_SSL_REDIRECT) nor a 400 for the Host.
    The object store is left out: nothing here reads a file."""
    environment = {
        key: value
        for key, value in resolved["services"]["cms"]["environment"].items()
        if not key.startswith("AWS_")
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE_INTERNAL_CALL],
        env={
            "PATH": "/usr/bin:/bin",
            **environment,
            "PYTHONPATH": str(repo),
            "CROODY_VAR_DIR": str(tmp_path),
            "LOG_LEVEL": "ERROR",
        },
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    status, _, location = result.stdout.strip().splitlines()[-1].partition(" ")
    assert (status, location) == ("401", ""), (
        "production settings must let the services call /internal/ over plain HTTP "
        "(cms/settings/production.py: SECURE_REDIRECT_EXEMPT)"
    )


def test_image_ships_every_first_party_package(repo):
    """Every package of the repository the services import reaches the images."""
    packages = sorted(
        path.parent.name
        for path in repo.glob("*/__init__.py")
        if path.parent.name not in ("tests", "bench")
    )
    assert {"cms", "apis", "croody_core", "observability"} <= set(packages)
    dockerfile = (repo / APP_DOCKERFILE).read_text()
    ignore = (repo / f"{APP_DOCKERFILE}.dockerignore").read_text().splitlines()
    for package in packages:
        assert f"COPY {package}/ {package}/" in dockerfile, package
        assert f"COPY --from=builder /src/{package} /app/{package}" in dockerfile, package
        assert f"!{package}/" in ignore, package


def _stages(dockerfile: Path) -> list[str]:
    return re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", dockerfile.read_text(), re.MULTILINE | re.I)


def test_builds_point_at_existing_dockerfiles_and_targets(resolved, repo):
    for name, service in resolved["services"].items():
        build = service.get("build")
        if not build:
            continue
        dockerfile = Path(build["context"]) / build["dockerfile"]
        assert dockerfile.exists(), name
        if "target" in build:
            assert build["target"] in _stages(dockerfile), name
        assert (dockerfile.parent / f"{dockerfile.name}.dockerignore").exists(), name


def test_prometheus_scrapes_each_service_with_the_token(repo, resolved):
    config = yaml.safe_load((repo / "deploy/prometheus/prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    expected = {"cms": "cms:8000", "telemetry": "telemetry:9000", "ids": "ids:9100"}
    for job, target in expected.items():
        assert jobs[job]["static_configs"][0]["targets"] == [target]
        assert jobs[job]["metrics_path"] == "/metrics"
        authorization = jobs[job]["authorization"]
        assert authorization["type"] == "Bearer"
        assert authorization["credentials_file"] == "/run/secrets/metrics_token"
    prometheus = resolved["services"]["prometheus"]
    assert [secret["source"] for secret in prometheus["secrets"]] == ["metrics_token"]
    assert resolved["secrets"]["metrics_token"]["environment"] == "METRICS_TOKEN"
    rules = yaml.safe_load((repo / "deploy/prometheus/alerts.yml").read_text())
    assert {rule["alert"] for group in rules["groups"] for rule in group["rules"]} >= {
        "ServiceDown",
        "HighErrorRate",
        "LockoutSpike",
        "PermissionDeniedSpike",
    }


def test_grafana_is_provisioned(repo):
    datasources = yaml.safe_load(
        (repo / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text()
    )["datasources"]
    assert datasources[0]["url"] == "http://prometheus:9090"
    uid = datasources[0]["uid"]
    providers = yaml.safe_load(
        (repo / "deploy/grafana/provisioning/dashboards/croody.yml").read_text()
    )["providers"]
    assert providers[0]["options"]["path"] == "/var/lib/grafana/dashboards"
    dashboard = json.loads((repo / "deploy/grafana/dashboards/croody-overview.json").read_text())
    titles = {panel["title"]: panel for panel in dashboard["panels"]}
    for wanted in ("Request rate", "Latency", "Errors", "ingest rate", "IDS alerts", "Security"):
        assert any(wanted.lower() in title.lower() for title in titles), wanted
    # The security events' rate, one line per event (observability/security.py).
    security = [target["expr"] for target in titles["Security events"]["targets"]]
    assert any(
        "croody_security_events_total" in expr and re.search(r"by \(event\)", expr)
        for expr in security
    ), security
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == uid
        for target in panel["targets"]:
            assert re.search(r"\bcroody_\w+|\bup\{", target["expr"]), target["expr"]


@pytest.mark.parametrize("dockerfile", [APP_DOCKERFILE, GATEWAY_DOCKERFILE])
def test_hadolint(repo, tool, dockerfile):
    result = subprocess.run(
        [tool("hadolint"), "--no-color", str(repo / dockerfile)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _final_stage(text: str, target: str) -> str:
    match = re.search(rf"^FROM\s+\S+\s+AS\s+{target}\s*$(.*?)(?=^FROM\s|\Z)", text, re.M | re.S)
    assert match, target
    return match.group(1)


@pytest.mark.parametrize(
    ("target", "port", "health_path"),
    [("cms", 8000, "/health/"), ("telemetry", 9000, "/healthz"), ("ids", 9100, "/healthz")],
)
def test_app_images(repo, target, port, health_path):
    text = (repo / APP_DOCKERFILE).read_text()
    assert len(re.findall(r"^FROM\s", text, re.M)) >= 3  # builder, runtime, targets
    bases = re.findall(r"^FROM\s+(\S+)\s+AS\s+(?:builder|runtime)\s*$", text, re.M)
    assert len(bases) == 2 and all(base.startswith("python:3.11-slim") for base in bases)
    runtime = _final_stage(text, "runtime")
    user = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    assert user and not user[-1].startswith(("0", "root"))
    stage = _final_stage(text, target)
    assert f"EXPOSE {port}" in stage
    assert f"http://127.0.0.1:{port}{health_path}" in stage
    assert "HEALTHCHECK" in stage
    # Build tools stay in the builder: the runtime never installs packages.
    assert "apt-get" not in runtime and "apt-get" not in stage


@pytest.mark.parametrize("dockerfile", [APP_DOCKERFILE, GATEWAY_DOCKERFILE])
def test_no_secrets_baked_into_images(repo, dockerfile):
    text = (repo / dockerfile).read_text()
    for line in re.findall(r"^(?:ENV|ARG)\s+.*$", text, re.M):
        assert not SECRET_NAME.search(line.split("=")[0]), line
    # The build context is an allow-list: everything is excluded, then only
    # named sources come back, never an env file.
    rules = [
        line
        for line in (repo / f"{dockerfile}.dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert rules[0] == "*"
    assert not any(rule.startswith("!") and ".env" in rule for rule in rules)


def test_gateway_image_is_unprivileged(repo):
    text = (repo / GATEWAY_DOCKERFILE).read_text()
    assert re.search(r"^USER\s+10101", text, re.M)
    assert "HEALTHCHECK" in text
    conf = (repo / "deploy/nginx/nginx.conf").read_text()
    assert not re.search(r"^\s*user\s", conf, re.M)


def test_every_app_trusts_exactly_the_one_proxy_in_front(resolved):
    """nginx is the only way in: each app reads the client from the last X-Forwarded-For
    entry, the one nginx wrote (a client's own entries stay to the left of it)."""
    for name in ("cms", "telemetry", "ids"):
        assert resolved["services"][name]["environment"]["TRUSTED_PROXIES"] == "1", name
