variable "name" {
  description = "Name prefix."
  type        = string
}

variable "region" {
  description = "Region of the CloudWatch Logs service principal."
  type        = string
}
