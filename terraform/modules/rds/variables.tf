variable "name" {
  description = "Instance identifier."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL version."
  type        = string
  default     = "16.10"
}

variable "instance_class" {
  description = "Instance class."
  type        = string
}

variable "allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
}

variable "backup_retention_days" {
  description = "Days of automated backups."
  type        = number
}

variable "database_name" {
  description = "Database created with the instance (the CMS's)."
  type        = string
}

variable "username" {
  description = "Master user."
  type        = string
}

variable "password" {
  description = "Master password (kept in Secrets Manager inside the connection URLs)."
  type        = string
  sensitive   = true
}

variable "subnet_group_name" {
  description = "Database subnet group."
  type        = string
}

variable "security_group_id" {
  description = "Database security group."
  type        = string
}

variable "kms_key_arn" {
  description = "Key for storage and Performance Insights."
  type        = string
}
