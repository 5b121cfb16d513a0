# Customer-managed keys, one per kind of data, each with rotation and a key
# policy that names exactly which AWS services may use it.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  root       = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"
}

# Key administration stays with the account (IAM policies decide who).
data "aws_iam_policy_document" "account_admin" {
  # checkov:skip=CKV_AWS_109:Key policy: Resource "*" is this key only; the account statement is AWS's default delegation to IAM.
  # checkov:skip=CKV_AWS_111:Key policy: Resource "*" is this key only; service principals are limited by conditions.
  # checkov:skip=CKV_AWS_356:Key policy: Resource "*" is this key only.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [local.root]
    }
  }
}

data "aws_iam_policy_document" "logs" {
  source_policy_documents = [data.aws_iam_policy_document.account_admin.json]

  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${var.region}:${local.account_id}:log-group:*"]
    }
  }
}

data "aws_iam_policy_document" "data" {
  # checkov:skip=CKV_AWS_109:Key policy: Resource "*" is this key only; the account statement is AWS's default delegation to IAM.
  # checkov:skip=CKV_AWS_111:Key policy: Resource "*" is this key only; service principals are limited by conditions.
  # checkov:skip=CKV_AWS_356:Key policy: Resource "*" is this key only.
  source_policy_documents = [data.aws_iam_policy_document.account_admin.json]

  # SNS alarm topic: CloudWatch alarms publish encrypted messages.
  statement {
    sid       = "CloudWatchAlarmsToSns"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "s3" {
  source_policy_documents = [data.aws_iam_policy_document.account_admin.json]

  # CloudFront reads the media and static buckets through origin access
  # control; only distributions of this account.
  statement {
    sid       = "CloudFrontOriginAccessControl"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:cloudfront::${local.account_id}:distribution/*"]
    }
  }
}

resource "aws_kms_key" "logs" {
  description             = "${var.name}: CloudWatch Logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.logs.json
}

resource "aws_kms_alias" "logs" {
  name          = "alias/${var.name}-logs"
  target_key_id = aws_kms_key.logs.key_id
}

resource "aws_kms_key" "data" {
  description             = "${var.name}: RDS, ElastiCache, Secrets Manager, ECR, SNS"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.data.json
}

resource "aws_kms_alias" "data" {
  name          = "alias/${var.name}-data"
  target_key_id = aws_kms_key.data.key_id
}

resource "aws_kms_key" "s3" {
  description             = "${var.name}: S3 media, static and backups"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.s3.json
}

resource "aws_kms_alias" "s3" {
  name          = "alias/${var.name}-s3"
  target_key_id = aws_kms_key.s3.key_id
}
