output "arns" {
  description = "Secret ARN by environment-variable name."
  value       = { for key, secret in aws_secretsmanager_secret.this : key => secret.arn }
  # Whatever uses an ARN (a targeted apply of the release task included) gets its value too.
  depends_on = [aws_secretsmanager_secret_version.this]
}
