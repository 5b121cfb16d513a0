output "address" {
  description = "Instance host name."
  value       = aws_db_instance.this.address
}

output "identifier" {
  description = "Instance identifier (CloudWatch dimension)."
  value       = aws_db_instance.this.identifier
}
