# Application secrets in Secrets Manager, encrypted with the data key. ECS
# injects them as environment variables at task start; nothing is baked
# into images or task definitions.

resource "aws_secretsmanager_secret" "this" {
  # checkov:skip=CKV2_AWS_57:These values are composed (connection URLs, Django key); rotating them needs a coordinated redeploy, done by replacing the value and rolling the services.
  for_each = nonsensitive(toset(keys(var.values)))

  name                    = "${var.name}/${each.value}"
  description             = "${var.name}: ${each.value}"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 30
}

resource "aws_secretsmanager_secret_version" "this" {
  for_each = nonsensitive(toset(keys(var.values)))

  secret_id     = aws_secretsmanager_secret.this[each.value].id
  secret_string = var.values[each.value]
}
