variable "name" {
  description = "Name prefix."
  type        = string
}

variable "service" {
  description = "Service name (cms, telemetry, ids); also the container name."
  type        = string
}

variable "cluster_arn" {
  description = "ECS cluster ARN."
  type        = string
}

variable "cluster_name" {
  description = "ECS cluster name (autoscaling resource id)."
  type        = string
}

variable "image" {
  description = "Image reference (repository URL and tag)."
  type        = string
}

variable "repository_arn" {
  description = "ECR repository the execution role may pull from."
  type        = string
}

variable "port" {
  description = "Container port."
  type        = number
}

variable "health_path" {
  description = "HTTP health path of the container."
  type        = string
}

variable "cpu" {
  description = "Task CPU units."
  type        = number
}

variable "memory" {
  description = "Task memory (MiB)."
  type        = number
}

variable "desired_count" {
  description = "Initial task count."
  type        = number
}

variable "min_count" {
  description = "Autoscaling minimum."
  type        = number
}

variable "max_count" {
  description = "Autoscaling maximum."
  type        = number
}

variable "subnet_ids" {
  description = "Private subnets of the tasks."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the tasks."
  type        = list(string)
}

variable "service_registry_arn" {
  description = "Cloud Map service the tasks register in (their internal name)."
  type        = string
}

variable "target_group_arn" {
  description = "ALB target group."
  type        = string
}

variable "environment" {
  description = "Plain environment variables."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Environment variable name to Secrets Manager ARN."
  type        = map(string)
}

variable "release_secrets" {
  description = "Secrets the release task gets on top of var.secrets (name to ARN); never the service's."
  type        = map(string)
  default     = {}
}

variable "task_policy_json" {
  description = "IAM policy of the application itself (empty: no AWS access)."
  type        = string
  default     = ""
}

variable "release_command" {
  description = "Command of a one-off release task definition from the same image (empty: none)."
  type        = list(string)
  default     = []
}

variable "log_retention_days" {
  description = "Retention of the service's log group."
  type        = number
}

variable "logs_kms_key_arn" {
  description = "Key for the log group."
  type        = string
}

variable "data_kms_key_arn" {
  description = "Key of the secrets and images."
  type        = string
}
