# Public Application Load Balancer: 80 redirects to 443; 443 (ACM, TLS 1.2+)
# routes by path to the three target groups, but only for requests that
# carry CloudFront's secret X-Origin-Verify header (everything else: 403).
# var.private_paths (the CMS's /internal/ endpoints, for the services only) are
# never forwarded: a rule ahead of every other answers 404.

resource "aws_acm_certificate" "this" {
  domain_name               = var.origin_domain
  subject_alternative_names = [var.domain_name]
  validation_method         = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  for_each = {
    for option in aws_acm_certificate.this.domain_validation_options : option.domain_name => option
  }

  zone_id         = var.public_zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [for record in aws_route53_record.validation : record.fqdn]
}

resource "aws_lb" "this" {
  # checkov:skip=CKV2_AWS_76:The web ACL (modules/waf, REGIONAL scope) has AWSManagedRulesKnownBadInputsRuleSet, checked there by CKV_AWS_192; checkov cannot follow its ARN across modules.
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.public_subnet_ids
  security_groups            = [var.security_group_id]
  drop_invalid_header_fields = true
  enable_deletion_protection = true
  # Long enough for Server-Sent Events between the app's keep-alive comments.
  idle_timeout = 120

  access_logs {
    bucket  = var.log_bucket_id
    prefix  = "alb"
    enabled = true
  }
}

resource "aws_lb_target_group" "this" {
  # checkov:skip=CKV_AWS_378:TLS ends at the ALB; targets speak HTTP inside private subnets that only the ALB's security group can reach.
  for_each = var.targets

  name                 = "${var.name}-${each.key}"
  port                 = each.value.port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    path                = each.value.health_path
    port                = "traffic-port"
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "http" {
  # checkov:skip=CKV_AWS_2:This listener only redirects to HTTPS.
  # checkov:skip=CKV_AWS_103:This listener only redirects to HTTPS; it terminates no TLS.
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.this.certificate_arn

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "text/plain"
      message_body = "Forbidden"
      status_code  = "403"
    }
  }
}

resource "aws_lb_listener_rule" "private" {
  count = length(var.private_paths) > 0 ? 1 : 0

  listener_arn = aws_lb_listener.https.arn
  priority     = var.private_paths_priority

  action {
    type = "fixed-response"

    fixed_response {
      content_type = "text/plain"
      message_body = "Not Found"
      status_code  = "404"
    }
  }

  condition {
    path_pattern {
      values = var.private_paths
    }
  }
}

resource "aws_lb_listener_rule" "service" {
  for_each = var.targets

  listener_arn = aws_lb_listener.https.arn
  priority     = each.value.priority

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[each.key].arn
  }

  condition {
    path_pattern {
      values = each.value.paths
    }
  }

  condition {
    http_header {
      http_header_name = "X-Origin-Verify"
      values           = [var.origin_verify_secret]
    }
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  resource_arn = aws_lb.this.arn
  web_acl_arn  = var.web_acl_arn
}

# origin.<domain>: CloudFront's origin host name, covered by the certificate.
resource "aws_route53_record" "origin" {
  zone_id = var.public_zone_id
  name    = var.origin_domain
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}
