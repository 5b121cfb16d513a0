variable "name" {
  description = "Name prefix."
  type        = string
}

variable "domain_name" {
  description = "Public host name served by the distribution."
  type        = string
}

variable "public_zone_id" {
  description = "Public Route 53 zone for the alias and certificate validation."
  type        = string
}

variable "alb_origin_domain" {
  description = "Host name of the ALB origin (covered by the ALB's certificate)."
  type        = string
}

variable "origin_verify_secret" {
  description = "Value of the X-Origin-Verify header the ALB requires."
  type        = string
  sensitive   = true
}

variable "static_bucket_domain" {
  description = "Regional domain name of the static bucket."
  type        = string
}

variable "media_bucket_domain" {
  description = "Regional domain name of the media bucket."
  type        = string
}

variable "log_bucket_domain" {
  description = "Domain name of the access-log bucket."
  type        = string
}

variable "web_acl_arn" {
  description = "CLOUDFRONT-scope WAF web ACL."
  type        = string
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
}
