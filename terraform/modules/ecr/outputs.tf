output "repository_urls" {
  description = "Repository URL per image."
  value       = { for key, repository in aws_ecr_repository.this : key => repository.repository_url }
}

output "repository_arns" {
  description = "Repository ARN per image."
  value       = { for key, repository in aws_ecr_repository.this : key => repository.arn }
}
