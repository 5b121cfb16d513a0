output "zone_id" {
  description = "Private zone id."
  value       = aws_route53_zone.this.zone_id
}

output "names" {
  description = "Fully qualified internal names."
  value       = { for key, record in aws_route53_record.this : key => record.fqdn }
}
