variable "bucket_name" {
  description = "Globally unique bucket name."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for default encryption."
  type        = string
}

variable "log_bucket_id" {
  description = "Bucket receiving the access logs."
  type        = string
}

variable "noncurrent_version_days" {
  description = "Days before a replaced object version is deleted."
  type        = number
  default     = 90
}

variable "archive_after_days" {
  description = "Move objects to Glacier Instant Retrieval after this many days (0: never)."
  type        = number
  default     = 0
}

variable "extra_policy_json" {
  description = "Additional bucket policy statements (e.g. CloudFront origin access)."
  type        = string
  default     = ""
}
