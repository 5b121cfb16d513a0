# Private zone for internal names, resolvable only inside the VPC: the AWS
# counterpart of the seed's BIND9 internal DNS. Services use these names in
# their connection URLs, so an endpoint change is one record, not a redeploy.

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
