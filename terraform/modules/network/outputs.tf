output "vpc_id" {
  description = "VPC id."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "VPC CIDR block."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Public subnets (ALB)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets (ECS tasks)."
  value       = aws_subnet.private[*].id
}

output "database_subnet_ids" {
  description = "Database subnets (RDS)."
  value       = aws_subnet.database[*].id
}

output "cache_subnet_ids" {
  description = "Cache subnets (ElastiCache)."
  value       = aws_subnet.cache[*].id
}

output "db_subnet_group_name" {
  description = "RDS subnet group."
  value       = aws_db_subnet_group.this.name
}

output "cache_subnet_group_name" {
  description = "ElastiCache subnet group."
  value       = aws_elasticache_subnet_group.this.name
}
