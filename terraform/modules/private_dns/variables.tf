variable "name" {
  description = "Name prefix."
  type        = string
}

variable "zone_name" {
  description = "Private zone name, e.g. croody.internal."
  type        = string
}

variable "vpc_id" {
  description = "VPC that resolves the zone."
  type        = string
}

variable "records" {
  description = "Short name to target host name (CNAME)."
  type        = map(string)
}

variable "services" {
  description = "ECS services that get a name svc.<zone> (Cloud Map, A records per task)."
  type        = list(string)
  default     = []
}
