output "arns" {
  description = "Secret ARN by environment-variable name."
  value       = { for key, secret in aws_secretsmanager_secret.this : key => secret.arn }
}
