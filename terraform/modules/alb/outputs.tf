output "arn_suffix" {
  description = "ALB ARN suffix (CloudWatch dimensions)."
  value       = aws_lb.this.arn_suffix
}

output "dns_name" {
  description = "ALB DNS name."
  value       = aws_lb.this.dns_name
}

output "target_group_arns" {
  description = "Target group ARN per service."
  value       = { for key, group in aws_lb_target_group.this : key => group.arn }
}

output "target_group_arn_suffixes" {
  description = "Target group ARN suffix per service (CloudWatch dimensions)."
  value       = { for key, group in aws_lb_target_group.this : key => group.arn_suffix }
}

output "https_listener_arn" {
  description = "HTTPS listener."
  value       = aws_lb_listener.https.arn
}
