variable "name" {
  description = "Name prefix."
  type        = string
}

variable "kms_key_arn" {
  description = "Key of the SNS topic."
  type        = string
}

variable "alarm_email" {
  description = "Subscriber address (empty: none)."
  type        = string
}

variable "alb_arn_suffix" {
  description = "ALB dimension."
  type        = string
}

variable "target_group_arn_suffixes" {
  description = "Target group dimension per service."
  type        = map(string)
}

variable "cluster_name" {
  description = "ECS cluster."
  type        = string
}

variable "ecs_services" {
  description = "ECS service names."
  type        = list(string)
}

variable "db_identifier" {
  description = "RDS instance identifier."
  type        = string
}

variable "redis_id" {
  description = "ElastiCache replication group id."
  type        = string
}
