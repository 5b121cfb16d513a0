# Tiers and the only traffic allowed between them:
#   world  -> alb   : 80 (redirect only), 443
#   alb    -> app   : 8000 (cms), 9000 (telemetry), 9100 (ids)
#   app    -> db    : 5432
#   app    -> cache : 6379
#   app    -> world : 443 (AWS APIs through the NAT gateway: ECR, Secrets Manager, Logs, S3)
# and between the services, each of which also has a group of its own:
#   telemetry, ids -> cms : 8000 (API keys: the CMS's /internal/ endpoints)
#   cms -> telemetry : 9000, cms -> ids : 9100 (the CMS reads through the APIs)
# Nothing else: telemetry and ids cannot reach each other.
# Rules are separate resources so the groups can reference each other.

locals {
  app_ports = { cms = 8000, telemetry = 9000, ids = 9100 }
  # Caller -> callee, each on the callee's port.
  service_calls = {
    telemetry-to-cms = { from = "telemetry", to = "cms" }
    ids-to-cms       = { from = "ids", to = "cms" }
    cms-to-telemetry = { from = "cms", to = "telemetry" }
    cms-to-ids       = { from = "cms", to = "ids" }
  }
}

resource "aws_security_group" "alb" {
  # checkov:skip=CKV2_AWS_5:Attached through module outputs (ALB, ECS services, RDS, ElastiCache); checkov does not follow them across modules.
  name        = "${var.name}-alb"
  description = "Public load balancer: HTTP and HTTPS from anywhere"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-alb" }
}

resource "aws_security_group" "app" {
  # checkov:skip=CKV2_AWS_5:Attached through module outputs (ALB, ECS services, RDS, ElastiCache); checkov does not follow them across modules.
  name        = "${var.name}-app"
  description = "ECS tasks: service ports from the load balancer only"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-app" }
}

resource "aws_security_group" "service" {
  # checkov:skip=CKV2_AWS_5:Attached through module outputs (ALB, ECS services, RDS, ElastiCache); checkov does not follow them across modules.
  for_each = local.app_ports

  name        = "${var.name}-${each.key}"
  description = "ECS ${each.key} tasks: calls between services only"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-${each.key}" }
}

resource "aws_security_group" "db" {
  # checkov:skip=CKV2_AWS_5:Attached through module outputs (ALB, ECS services, RDS, ElastiCache); checkov does not follow them across modules.
  name        = "${var.name}-db"
  description = "PostgreSQL: 5432 from the ECS tasks only"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-db" }
}

resource "aws_security_group" "cache" {
  # checkov:skip=CKV2_AWS_5:Attached through module outputs (ALB, ECS services, RDS, ElastiCache); checkov does not follow them across modules.
  name        = "${var.name}-cache"
  description = "Redis: 6379 from the ECS tasks only"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-cache" }
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  # checkov:skip=CKV_AWS_260:Port 80 is open only to answer with a redirect to 443 (listener in modules/alb).
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from anywhere, redirected to HTTPS"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from anywhere"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "alb_to_app" {
  for_each = local.app_ports

  security_group_id            = aws_security_group.alb.id
  description                  = "To the ${each.key} tasks"
  referenced_security_group_id = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  for_each = local.app_ports

  security_group_id            = aws_security_group.app.id
  description                  = "${each.key} from the load balancer"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
}

resource "aws_vpc_security_group_egress_rule" "app_to_db" {
  security_group_id            = aws_security_group.app.id
  description                  = "PostgreSQL"
  referenced_security_group_id = aws_security_group.db.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_egress_rule" "app_to_cache" {
  security_group_id            = aws_security_group.app.id
  description                  = "Redis"
  referenced_security_group_id = aws_security_group.cache.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

resource "aws_vpc_security_group_egress_rule" "app_to_aws_apis" {
  security_group_id = aws_security_group.app.id
  description       = "HTTPS to AWS APIs (ECR, Secrets Manager, CloudWatch, S3) via NAT"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "service_call" {
  for_each = local.service_calls

  security_group_id            = aws_security_group.service[each.value.from].id
  description                  = "${each.value.from} calls ${each.value.to}"
  referenced_security_group_id = aws_security_group.service[each.value.to].id
  ip_protocol                  = "tcp"
  from_port                    = local.app_ports[each.value.to]
  to_port                      = local.app_ports[each.value.to]
}

resource "aws_vpc_security_group_ingress_rule" "service_call" {
  for_each = local.service_calls

  security_group_id            = aws_security_group.service[each.value.to].id
  description                  = "${each.value.to} called by ${each.value.from}"
  referenced_security_group_id = aws_security_group.service[each.value.from].id
  ip_protocol                  = "tcp"
  from_port                    = local.app_ports[each.value.to]
  to_port                      = local.app_ports[each.value.to]
}

resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from the ECS tasks"
  referenced_security_group_id = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_ingress_rule" "cache_from_app" {
  security_group_id            = aws_security_group.cache.id
  description                  = "Redis from the ECS tasks"
  referenced_security_group_id = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}
