variable "name" {
  description = "Name of the web ACL."
  type        = string
}

variable "scope" {
  description = "REGIONAL (ALB) or CLOUDFRONT."
  type        = string

  validation {
    condition     = contains(["REGIONAL", "CLOUDFRONT"], var.scope)
    error_message = "scope is REGIONAL or CLOUDFRONT."
  }
}

variable "rate_limit" {
  description = "Requests per 5 minutes from one IP before it is blocked."
  type        = number
  default     = 2000
}

variable "log_retention_days" {
  description = "Retention of the WAF log group."
  type        = number
}

variable "large_body_path_regex" {
  description = "URI paths allowed request bodies over WAF's inspection limit (the applications enforce their own limits)."
  type        = string
  default     = "^/(api/(telemetry|ids)/|admin/|[a-z]{2}(-[a-z]+)?/account/profile/details/$)"
}

variable "private_path_prefix" {
  description = "URI path prefix refused with 404 after URL-decoding and normalising (service-to-service endpoints)."
  type        = string
  default     = "/internal/"
}
