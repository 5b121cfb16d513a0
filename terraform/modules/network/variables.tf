variable "name" {
  description = "Name prefix."
  type        = string
}

variable "region" {
  description = "AWS region (for the S3 endpoint's service name)."
  type        = string
}

variable "cidr" {
  description = "VPC CIDR block."
  type        = string
}

variable "az_count" {
  description = "Number of availability zones."
  type        = number
}

variable "single_nat_gateway" {
  description = "Share one NAT gateway between all AZs."
  type        = bool
}

variable "log_retention_days" {
  description = "Retention of the flow log group."
  type        = number
}

variable "logs_kms_key_arn" {
  description = "KMS key for CloudWatch Logs."
  type        = string
}
