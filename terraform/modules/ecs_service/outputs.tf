output "service_name" {
  description = "ECS service name."
  value       = aws_ecs_service.this.name
}

output "task_definition_arn" {
  description = "Current task definition."
  value       = aws_ecs_task_definition.this.arn
}

output "task_definition_family" {
  description = "Task definition family (release task, rollback)."
  value       = aws_ecs_task_definition.this.family
}

output "release_task_definition_arn" {
  description = "Release task definition (empty without release_command)."
  value       = one(aws_ecs_task_definition.release[*].arn)
}

output "task_role_arn" {
  description = "Application role."
  value       = aws_iam_role.task.arn
}

output "execution_role_arn" {
  description = "Execution role."
  value       = aws_iam_role.execution.arn
}

output "release_execution_role_arn" {
  description = "Execution role of the release task (empty without release_command)."
  value       = one(aws_iam_role.release_execution[*].arn)
}

output "log_group_name" {
  description = "Log group of the service."
  value       = aws_cloudwatch_log_group.this.name
}
