output "primary_endpoint" {
  description = "Primary endpoint host name."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "id" {
  description = "Replication group id."
  value       = aws_elasticache_replication_group.this.id
}
