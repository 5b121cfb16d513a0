variable "name" {
  description = "Secret name prefix."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for the secrets."
  type        = string
}

variable "values" {
  description = "Secret values by environment-variable name."
  type        = map(string)
  sensitive   = true
}
