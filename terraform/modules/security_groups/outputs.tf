output "alb_security_group_id" {
  description = "Load balancer group."
  value       = aws_security_group.alb.id
}

output "app_security_group_id" {
  description = "ECS tasks group."
  value       = aws_security_group.app.id
}

output "service_security_group_ids" {
  description = "Each ECS service's own group (calls between services), by service."
  value       = { for key, group in aws_security_group.service : key => group.id }
}

output "db_security_group_id" {
  description = "RDS group."
  value       = aws_security_group.db.id
}

output "cache_security_group_id" {
  description = "ElastiCache group."
  value       = aws_security_group.cache.id
}
