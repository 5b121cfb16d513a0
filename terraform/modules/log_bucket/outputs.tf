output "id" {
  description = "Bucket name."
  value       = aws_s3_bucket.this.id
}

output "arn" {
  description = "Bucket ARN."
  value       = aws_s3_bucket.this.arn
}

output "domain_name" {
  description = "Bucket domain name (CloudFront logging target)."
  value       = aws_s3_bucket.this.bucket_domain_name
}
