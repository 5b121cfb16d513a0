# Croody on AWS: CloudFront -> ALB -> ECS Fargate (cms, telemetry, ids) ->
# RDS PostgreSQL + ElastiCache Redis, S3 for media/static/backups.
# See README.md for the picture and the order of operations.

data "aws_caller_identity" "current" {}

data "aws_route53_zone" "public" {
  name         = var.public_zone_name
  private_zone = false
}

locals {
  name = "${var.project}-${var.environment}"
  tags = {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
  }
  account_id    = data.aws_caller_identity.current.account_id
  origin_domain = "origin.${var.domain_name}"

  # Container port, health path and ALB routing of each service.
  service_ports = {
    cms       = { port = 8000, health_path = "/health/", paths = ["/*"], priority = 300 }
    telemetry = { port = 9000, health_path = "/healthz", paths = ["/api/telemetry/*"], priority = 100 }
    ids       = { port = 9100, health_path = "/healthz", paths = ["/api/ids/*"], priority = 200 }
  }

  db_host = "db.${var.private_zone_name}"
  # The RDS master user: only the release task uses it, to make the roles below.
  db_user = "croody"
  db_url  = "postgres://${local.db_user}:${random_password.db.result}@${local.db_host}:5432"
  # One database and one role per service (deploy/docker/ensure_databases.py makes them):
  # each role owns its database, and nobody else may connect to it.
  databases = {
    cms       = { variable = "DATABASE_URL", database = "croody", role = "croody_cms" }
    telemetry = { variable = "TELEMETRY_DATABASE_URL", database = "telemetry", role = "croody_telemetry" }
    ids       = { variable = "IDS_DATABASE_URL", database = "ids", role = "croody_ids" }
  }
  # Redis is reached by its AWS name: its TLS certificate is issued for it.
  redis_url = "rediss://:${random_password.redis.result}@${module.redis.primary_endpoint}:6379/0"
}

# --- keys, network, security groups ----------------------------------------

module "kms" {
  source = "./modules/kms"

  name   = local.name
  region = var.aws_region
}

module "network" {
  source = "./modules/network"

  name               = local.name
  region             = var.aws_region
  cidr               = var.vpc_cidr
  az_count           = var.availability_zone_count
  single_nat_gateway = var.single_nat_gateway
  log_retention_days = var.log_retention_days
  logs_kms_key_arn   = module.kms.logs_key_arn
}

module "security_groups" {
  source = "./modules/security_groups"

  name   = local.name
  vpc_id = module.network.vpc_id
}

# --- storage ---------------------------------------------------------------

module "log_bucket" {
  source = "./modules/log_bucket"

  bucket_name = "${local.name}-logs-${local.account_id}"
}

# Media and static files are read by CloudFront only (origin access control).
data "aws_iam_policy_document" "cloudfront_read" {
  for_each = toset(["media", "static"])

  statement {
    sid       = "CloudFrontOriginAccessControl"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::${local.name}-${each.key}-${local.account_id}/${each.key}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [module.cdn.distribution_arn]
    }
  }
}

module "media_bucket" {
  source = "./modules/bucket"

  bucket_name       = "${local.name}-media-${local.account_id}"
  kms_key_arn       = module.kms.s3_key_arn
  log_bucket_id     = module.log_bucket.id
  extra_policy_json = data.aws_iam_policy_document.cloudfront_read["media"].json
}

module "static_bucket" {
  source = "./modules/bucket"

  bucket_name             = "${local.name}-static-${local.account_id}"
  kms_key_arn             = module.kms.s3_key_arn
  log_bucket_id           = module.log_bucket.id
  noncurrent_version_days = 30
  extra_policy_json       = data.aws_iam_policy_document.cloudfront_read["static"].json
}

module "backups_bucket" {
  source = "./modules/bucket"

  bucket_name             = "${local.name}-backups-${local.account_id}"
  kms_key_arn             = module.kms.s3_key_arn
  log_bucket_id           = module.log_bucket.id
  noncurrent_version_days = 365
  archive_after_days      = 30
}

# --- data stores -----------------------------------------------------------

resource "random_password" "db" {
  length  = 32
  special = false
}

resource "random_password" "redis" {
  length  = 48
  special = false
}

resource "random_password" "django_secret_key" {
  length  = 64
  special = false
}

resource "random_password" "api_session_secret" {
  length  = 64
  special = false
}

# Presented by the APIs to the CMS's /internal/ endpoints.
resource "random_password" "internal_api_secret" {
  length  = 64
  special = false
}

resource "random_password" "db_role" {
  for_each = local.databases

  length  = 32
  special = false
}

resource "random_password" "metrics_token" {
  length  = 40
  special = false
}

resource "random_password" "origin_verify" {
  length  = 40
  special = false
}

module "rds" {
  source = "./modules/rds"

  name                  = local.name
  instance_class        = var.db_instance_class
  allocated_storage     = var.db_allocated_storage
  backup_retention_days = var.db_backup_retention_days
  database_name         = "croody"
  username              = local.db_user
  password              = random_password.db.result
  subnet_group_name     = module.network.db_subnet_group_name
  security_group_id     = module.security_groups.db_security_group_id
  kms_key_arn           = module.kms.data_key_arn
}

module "redis" {
  source = "./modules/redis"

  name               = local.name
  node_type          = var.redis_node_type
  subnet_group_name  = module.network.cache_subnet_group_name
  security_group_id  = module.security_groups.cache_security_group_id
  kms_key_arn        = module.kms.data_key_arn
  auth_token         = random_password.redis.result
  log_retention_days = var.log_retention_days
  logs_kms_key_arn   = module.kms.logs_key_arn
}

module "private_dns" {
  source = "./modules/private_dns"

  name      = local.name
  zone_name = var.private_zone_name
  vpc_id    = module.network.vpc_id
  records = {
    db    = module.rds.address
    redis = module.redis.primary_endpoint
  }
  # cms.svc.<zone>, telemetry.svc.<zone>, ids.svc.<zone>: the tasks' own addresses, for
  # the calls between services (never through the ALB).
  services = keys(local.service_ports)
}

module "secrets" {
  source = "./modules/secrets"

  name        = local.name
  kms_key_arn = module.kms.data_key_arn
  values = merge(
    {
      SECRET_KEY          = random_password.django_secret_key.result
      METRICS_TOKEN       = random_password.metrics_token.result
      API_SESSION_SECRET  = random_password.api_session_secret.result
      INTERNAL_API_SECRET = random_password.internal_api_secret.result
      REDIS_URL           = local.redis_url
      # The master user on the maintenance database: the release task's alone.
      DATABASE_ADMIN_URL = "${local.db_url}/postgres?sslmode=require"
    },
    {
      for key, db in local.databases : db.variable =>
      "postgres://${db.role}:${random_password.db_role[key].result}@${local.db_host}:5432/${db.database}?sslmode=require"
    },
  )
}

# --- edge ------------------------------------------------------------------

module "waf_regional" {
  source = "./modules/waf"

  name               = "${local.name}-alb"
  scope              = "REGIONAL"
  log_retention_days = var.log_retention_days
}

module "waf_cloudfront" {
  source = "./modules/waf"
  providers = {
    aws = aws.us_east_1
  }

  name               = "${local.name}-cdn"
  scope              = "CLOUDFRONT"
  log_retention_days = var.log_retention_days
}

module "alb" {
  source = "./modules/alb"

  name                 = local.name
  vpc_id               = module.network.vpc_id
  public_subnet_ids    = module.network.public_subnet_ids
  security_group_id    = module.security_groups.alb_security_group_id
  domain_name          = var.domain_name
  origin_domain        = local.origin_domain
  public_zone_id       = data.aws_route53_zone.public.zone_id
  log_bucket_id        = module.log_bucket.id
  web_acl_arn          = module.waf_regional.arn
  origin_verify_secret = random_password.origin_verify.result
  targets              = local.service_ports
  # Service-to-service only (the CMS's key introspection): never forwarded, 404.
  private_paths = ["/internal", "/internal/*"]
}

module "cdn" {
  source = "./modules/cdn"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name                 = local.name
  domain_name          = var.domain_name
  public_zone_id       = data.aws_route53_zone.public.zone_id
  alb_origin_domain    = local.origin_domain
  origin_verify_secret = random_password.origin_verify.result
  static_bucket_domain = module.static_bucket.regional_domain_name
  media_bucket_domain  = module.media_bucket.regional_domain_name
  log_bucket_domain    = module.log_bucket.domain_name
  web_acl_arn          = module.waf_cloudfront.arn
  price_class          = var.cloudfront_price_class
}

# --- containers ------------------------------------------------------------

module "ecr" {
  source = "./modules/ecr"

  name         = var.project
  repositories = ["cms", "telemetry", "ids"]
  kms_key_arn  = module.kms.data_key_arn
}

resource "aws_cloudwatch_log_group" "ecs_exec" {
  name              = "/${local.name}/ecs/exec"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.kms.logs_key_arn
}

resource "aws_ecs_cluster" "this" {
  name = local.name

  setting {
    name  = "containerInsights"
    value = "enhanced"
  }

  # ECS Exec is off on every service; should it be enabled for debugging,
  # its sessions are encrypted and logged.
  configuration {
    execute_command_configuration {
      kms_key_id = module.kms.data_key_arn
      logging    = "OVERRIDE"

      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.ecs_exec.name
      }
    }
  }
}

# The CMS writes media and static files (collectstatic at release) and nothing else.
# Prefixes as the code uses them (cms/settings/s3.py, cms/base/storages.py):
#   media bucket  media/    images, renditions, avatars, and the /health/ probe file
#                           (default storage, so media/health/…)
#   media bucket  private/  documents and pending uploads (signed URLs, never public)
#   static bucket static/   collectstatic output
# CloudFront invalidations are not granted: pages are not cached at the edge (the default
# behaviour is CachingDisabled) and media/static names never change content, so
# CLOUDFRONT_DISTRIBUTION_ID is deliberately left unset on the cms service.
data "aws_iam_policy_document" "cms_task" {
  statement {
    sid       = "ListOwnBuckets"
    actions   = ["s3:ListBucket"]
    resources = [module.media_bucket.arn, module.static_bucket.arn]
  }

  statement {
    sid     = "ReadWriteFiles"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [
      "${module.media_bucket.arn}/media/*",
      "${module.media_bucket.arn}/private/*",
      "${module.static_bucket.arn}/static/*",
    ]
  }

  statement {
    sid       = "UseBucketKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [module.kms.s3_key_arn]
  }
}

locals {
  # Where each service answers the others, inside the VPC (Cloud Map names in the private
  # zone, security groups per caller): http://cms.svc.<zone>:8000 and so on.
  internal_urls = {
    for key, service in local.service_ports :
    key => "http://${module.private_dns.service_names[key]}:${service.port}"
  }
  common_environment = {
    LOG_LEVEL = "INFO"
    # CloudFront, then the ALB (which only answers CloudFront): the client is the second
    # X-Forwarded-For entry from the right. Calls between services carry none.
    TRUSTED_PROXIES = "2"
  }
  # The APIs run with production settings (they refuse to start without their secrets) and
  # look API keys up in the CMS (GET /internal/keys/<prefix>/ with INTERNAL_API_SECRET).
  api_environment = merge(local.common_environment, {
    CROODY_ENVIRONMENT = "production"
  })
  service_environment = {
    cms = merge(local.common_environment, {
      DJANGO_SETTINGS_MODULE = "cms.settings.production"
      # The internal name: the APIs' calls to /internal/ carry it as their Host.
      ALLOWED_HOSTS           = "${var.domain_name},localhost,${module.private_dns.service_names["cms"]}"
      CSRF_TRUSTED_ORIGINS    = "https://${var.domain_name}"
      SITE_URL                = "https://${var.domain_name}"
      TELEMETRY_API_URL       = local.internal_urls["telemetry"]
      IDS_API_URL             = local.internal_urls["ids"]
      AWS_STORAGE_BUCKET_NAME = module.media_bucket.id
      AWS_STATIC_BUCKET_NAME  = module.static_bucket.id
      AWS_S3_REGION_NAME      = var.aws_region
      # Files are served by CloudFront under the site's own origin.
      AWS_S3_CUSTOM_DOMAIN = var.domain_name
      WEB_CONCURRENCY      = "2"
    })
    telemetry = merge(local.api_environment, {
      TELEMETRY_CMS_URL = local.internal_urls["cms"]
    })
    ids = merge(local.api_environment, {
      IDS_CMS_URL = local.internal_urls["cms"]
    })
  }
  # Each service reads only its own secrets, its own database's URL among them: no
  # service sees another's database, nor the master user.
  service_secrets = {
    cms       = ["SECRET_KEY", "METRICS_TOKEN", "API_SESSION_SECRET", "INTERNAL_API_SECRET", "DATABASE_URL", "REDIS_URL"]
    telemetry = ["METRICS_TOKEN", "API_SESSION_SECRET", "INTERNAL_API_SECRET", "TELEMETRY_DATABASE_URL", "REDIS_URL"]
    ids       = ["METRICS_TOKEN", "API_SESSION_SECRET", "INTERNAL_API_SECRET", "IDS_DATABASE_URL", "REDIS_URL"]
  }
  # The CMS's release task alone also gets the master user and the APIs' database URLs:
  # ensure_databases makes each role (with its password) and database, then croody-release
  # unsets them before Django starts.
  release_secrets = {
    cms       = ["DATABASE_ADMIN_URL", "TELEMETRY_DATABASE_URL", "IDS_DATABASE_URL"]
    telemetry = []
    ids       = []
  }
}

module "service" {
  source   = "./modules/ecs_service"
  for_each = local.service_ports

  name           = local.name
  service        = each.key
  cluster_arn    = aws_ecs_cluster.this.arn
  cluster_name   = aws_ecs_cluster.this.name
  image          = "${module.ecr.repository_urls[each.key]}:${var.image_tag}"
  repository_arn = module.ecr.repository_arns[each.key]
  port           = each.value.port
  health_path    = each.value.health_path
  cpu            = var.services[each.key].cpu
  memory         = var.services[each.key].memory
  desired_count  = var.services[each.key].desired_count
  min_count      = var.services[each.key].min_count
  max_count      = var.services[each.key].max_count
  subnet_ids     = module.network.private_subnet_ids
  # The tier's group (ALB, database, cache, AWS APIs) and the service's own (calls
  # between services).
  security_group_ids = [
    module.security_groups.app_security_group_id,
    module.security_groups.service_security_group_ids[each.key],
  ]
  service_registry_arn = module.private_dns.service_registry_arns[each.key]
  target_group_arn     = module.alb.target_group_arns[each.key]
  environment          = local.service_environment[each.key]
  secrets              = { for name in local.service_secrets[each.key] : name => module.secrets.arns[name] }
  release_secrets      = { for name in local.release_secrets[each.key] : name => module.secrets.arns[name] }
  task_policy_json     = each.key == "cms" ? data.aws_iam_policy_document.cms_task.json : ""
  release_command      = each.key == "cms" ? ["croody-release"] : []
  log_retention_days   = var.log_retention_days
  logs_kms_key_arn     = module.kms.logs_key_arn
  data_kms_key_arn     = module.kms.data_key_arn
}

# --- monitoring ------------------------------------------------------------

module "monitoring" {
  source = "./modules/monitoring"

  name                      = local.name
  kms_key_arn               = module.kms.data_key_arn
  alarm_email               = var.alarm_email
  alb_arn_suffix            = module.alb.arn_suffix
  target_group_arn_suffixes = module.alb.target_group_arn_suffixes
  cluster_name              = aws_ecs_cluster.this.name
  ecs_services              = [for service in module.service : service.service_name]
  db_identifier             = module.rds.identifier
  redis_id                  = module.redis.id
}
