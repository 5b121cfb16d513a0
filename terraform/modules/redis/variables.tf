variable "name" {
  description = "Replication group id."
  type        = string
}

variable "node_type" {
  description = "Node type."
  type        = string
}

variable "subnet_group_name" {
  description = "Cache subnet group."
  type        = string
}

variable "security_group_id" {
  description = "Cache security group."
  type        = string
}

variable "kms_key_arn" {
  description = "Key for encryption at rest."
  type        = string
}

variable "auth_token" {
  description = "Redis AUTH token."
  type        = string
  sensitive   = true
}

variable "log_retention_days" {
  description = "Retention of the slow-log group."
  type        = number
}

variable "logs_kms_key_arn" {
  description = "Key for the slow-log group."
  type        = string
}
