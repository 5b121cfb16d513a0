output "site_url" {
  description = "Public URL of the site."
  value       = "https://${var.domain_name}"
}

output "cloudfront_distribution_id" {
  description = "Distribution id (cache invalidation after a deploy)."
  value       = module.cdn.distribution_id
}

output "alb_dns_name" {
  description = "ALB DNS name (answers only CloudFront)."
  value       = module.alb.dns_name
}

output "ecr_repository_urls" {
  description = "Where build.yml pushes each image."
  value       = module.ecr.repository_urls
}

output "ecs_cluster_name" {
  description = "ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "ecs_services" {
  description = "ECS service name per service."
  value       = { for key, service in module.service : key => service.service_name }
}

output "cms_task_definition_family" {
  description = "Family of the CMS task definition (deploy.yml runs the release task from it)."
  value       = module.service["cms"].task_definition_family
}

output "cms_release_task_definition_arn" {
  description = "Release task (croody-release with image_tag); deploy.yml applies it and runs it before the services roll."
  value       = module.service["cms"].release_task_definition_arn
}

output "private_subnet_ids" {
  description = "Subnets for one-off tasks (release)."
  value       = module.network.private_subnet_ids
}

output "app_security_group_id" {
  description = "Security group for one-off tasks (release)."
  value       = module.security_groups.app_security_group_id
}

output "internal_names" {
  description = "Names in the private DNS zone."
  value       = module.private_dns.names
}

output "buckets" {
  description = "S3 bucket names."
  value = {
    media   = module.media_bucket.id
    static  = module.static_bucket.id
    backups = module.backups_bucket.id
    logs    = module.log_bucket.id
  }
}

output "alarm_topic_arn" {
  description = "SNS topic of the CloudWatch alarms."
  value       = module.monitoring.alarm_topic_arn
}
