output "logs_key_arn" {
  description = "Key for CloudWatch log groups."
  value       = aws_kms_key.logs.arn
}

output "data_key_arn" {
  description = "Key for RDS, ElastiCache, Secrets Manager, ECR and SNS."
  value       = aws_kms_key.data.arn
}

output "s3_key_arn" {
  description = "Key for the S3 buckets."
  value       = aws_kms_key.s3.arn
}
