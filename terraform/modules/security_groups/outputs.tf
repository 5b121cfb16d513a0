output "alb_security_group_id" {
  description = "Load balancer group."
  value       = aws_security_group.alb.id
}

output "app_security_group_id" {
  description = "ECS tasks group."
  value       = aws_security_group.app.id
}

output "db_security_group_id" {
  description = "RDS group."
  value       = aws_security_group.db.id
}

output "cache_security_group_id" {
  description = "ElastiCache group."
  value       = aws_security_group.cache.id
}
