output "zone_id" {
  description = "Private zone id."
  value       = aws_route53_zone.this.zone_id
}

output "names" {
  description = "Fully qualified internal names (records and services)."
  value = merge(
    { for key, record in aws_route53_record.this : key => record.fqdn },
    local.service_names,
  )
}

output "service_names" {
  description = "Internal name of each ECS service, e.g. cms.svc.croody.internal."
  value       = local.service_names
}

output "service_registry_arns" {
  description = "Cloud Map service of each ECS service (its service_registries)."
  value       = { for key, service in aws_service_discovery_service.this : key => service.arn }
}
