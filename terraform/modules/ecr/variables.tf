variable "name" {
  description = "Repository name prefix."
  type        = string
}

variable "repositories" {
  description = "Image names."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key for image encryption."
  type        = string
}

variable "keep_images" {
  description = "Images kept per repository."
  type        = number
  default     = 30
}
