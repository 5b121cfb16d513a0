variable "bucket_name" {
  description = "Globally unique bucket name."
  type        = string
}

variable "retention_days" {
  description = "Days before a log object is deleted."
  type        = number
  default     = 400
}
