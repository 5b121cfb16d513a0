variable "project" {
  description = "Name prefix for every resource."
  type        = string
  default     = "croody"
}

variable "environment" {
  description = "Deployment environment (production, staging)."
  type        = string
  default     = "production"
}

variable "aws_region" {
  description = "Region of everything but CloudFront's certificate and web ACL."
  type        = string
  default     = "eu-west-1"
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC; split into public, private, database and cache subnets."
  type        = string
  default     = "10.20.0.0/16"
}

variable "availability_zone_count" {
  description = "Number of availability zones to spread over (at least two)."
  type        = number
  default     = 2

  validation {
    condition     = var.availability_zone_count >= 2
    error_message = "Multi-AZ needs at least two availability zones."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway instead of one per AZ (cheaper, not highly available)."
  type        = bool
  default     = false
}

variable "domain_name" {
  description = "Public host name of the site, e.g. www.example.com."
  type        = string
}

variable "public_zone_name" {
  description = "Existing public Route 53 zone that holds domain_name, e.g. example.com."
  type        = string
}

variable "private_zone_name" {
  description = "Private DNS zone for internal names (counterpart of the seed's BIND9)."
  type        = string
  default     = "croody.internal"
}

variable "image_tag" {
  description = "Image tag (git SHA) the ECS services run; deploy.yml sets it."
  type        = string
}

variable "services" {
  description = "Size and scaling of each ECS service."
  type = map(object({
    cpu           = number
    memory        = number
    desired_count = number
    min_count     = number
    max_count     = number
  }))
  default = {
    cms       = { cpu = 512, memory = 1024, desired_count = 2, min_count = 2, max_count = 6 }
    telemetry = { cpu = 256, memory = 512, desired_count = 2, min_count = 2, max_count = 6 }
    ids       = { cpu = 512, memory = 1024, desired_count = 2, min_count = 2, max_count = 4 }
  }
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_allocated_storage" {
  description = "Initial RDS storage in GiB (autoscaling up to 4x)."
  type        = number
  default     = 50
}

variable "db_backup_retention_days" {
  description = "Days of automated RDS backups."
  type        = number
  default     = 14
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.small"
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention for every log group."
  type        = number
  default     = 365
}

variable "alarm_email" {
  description = "Address subscribed to the alarm topic (empty: no subscription)."
  type        = string
  default     = ""
}

variable "cloudfront_price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"
}
