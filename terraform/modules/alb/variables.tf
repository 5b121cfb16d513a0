variable "name" {
  description = "Name prefix (at most 20 characters: target group names add a suffix)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the target groups."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets for the ALB."
  type        = list(string)
}

variable "security_group_id" {
  description = "ALB security group."
  type        = string
}

variable "domain_name" {
  description = "Public host name of the site (forwarded as Host by CloudFront)."
  type        = string
}

variable "origin_domain" {
  description = "Host name CloudFront uses to reach the ALB."
  type        = string
}

variable "public_zone_id" {
  description = "Public Route 53 zone."
  type        = string
}

variable "log_bucket_id" {
  description = "Bucket for ALB access logs."
  type        = string
}

variable "web_acl_arn" {
  description = "REGIONAL WAF web ACL."
  type        = string
}

variable "origin_verify_secret" {
  description = "Value CloudFront sends in X-Origin-Verify."
  type        = string
  sensitive   = true
}

variable "private_paths" {
  description = "Path patterns never forwarded to any target (answered 404), e.g. /internal/*."
  type        = list(string)
  default     = []
}

variable "private_paths_priority" {
  description = "Priority of the private-paths rule: it must come before every target's."
  type        = number
  default     = 10
}

variable "targets" {
  description = "Target groups: container port, health path, listener-rule paths and priority."
  type = map(object({
    port        = number
    health_path = string
    paths       = list(string)
    priority    = number
  }))

  # The ALB evaluates rules from the lowest priority: the private paths' 404 goes first.
  validation {
    condition     = alltrue([for target in values(var.targets) : target.priority > var.private_paths_priority])
    error_message = "Every target's priority must be above private_paths_priority."
  }
}
