# Remote state: S3 with a DynamoDB lock table. Partial configuration on
# purpose, so no account-specific name is committed:
#   terraform init -backend-config=backend.hcl   (copy backend.hcl.example)
terraform {
  backend "s3" {}
}
