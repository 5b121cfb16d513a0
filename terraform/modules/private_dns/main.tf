# Private zone for internal names, resolvable only inside the VPC: the AWS
# counterpart of the seed's BIND9 internal DNS. Services use these names in
# their connection URLs, so an endpoint change is one record, not a redeploy.
#
# The ECS services' own names (var.services) live in a Cloud Map namespace one level
# down, svc.<zone>: ECS keeps an A record per running task there, so the services call
# each other task to task (http://cms.svc.<zone>:8000), never through the public ALB.

resource "aws_route53_zone" "this" {
  # checkov:skip=CKV2_AWS_38:DNSSEC signing applies to public zones; Route 53 does not support it for private zones.
  # checkov:skip=CKV2_AWS_39:Query logging is a public-zone feature; private-zone queries are covered by VPC flow logs and Resolver.
  name    = var.zone_name
  comment = "${var.name} internal names"

  vpc {
    vpc_id = var.vpc_id
  }
}

resource "aws_route53_record" "this" {
  for_each = var.records

  zone_id = aws_route53_zone.this.zone_id
  name    = "${each.key}.${var.zone_name}"
  type    = "CNAME"
  ttl     = 60
  records = [each.value]
}

resource "aws_service_discovery_private_dns_namespace" "services" {
  count = length(var.services) > 0 ? 1 : 0

  name        = "svc.${var.zone_name}"
  description = "${var.name} ECS services"
  vpc         = var.vpc_id
}

resource "aws_service_discovery_service" "this" {
  for_each = toset(var.services)

  name = each.key

  dns_config {
    namespace_id   = aws_service_discovery_private_dns_namespace.services[0].id
    routing_policy = "MULTIVALUE"

    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  # ECS reports each task's health; a stopped or unhealthy task leaves the answer.
  health_check_custom_config {}
}

locals {
  service_names = { for service in var.services : service => "${service}.svc.${var.zone_name}" }
}
