"""Prepare the compose object store: create the buckets, make one prefix of each public.

CROODY_PUBLIC_BUCKETS is "bucket=prefix ..." (e.g. "croody-static=static
croody-media=media"). Only objects under that prefix become anonymously
readable, which is what the gateway's /static/ and /media/ locations need.
Idempotent; compose runs it before the CMS release step. (On AWS the buckets
stay private and CloudFront reads them with origin access control.)
"""

import json
import os
import sys
import time

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError


def public_read_policy(bucket: str, prefix: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicRead",
                    "Effect": "Allow",
                    "Principal": {"AWS": ["*"]},
                    "Action": ["s3:GetObject"],
                    "Resource": [f"arn:aws:s3:::{bucket}/{prefix}/*"],
                }
            ],
        }
    )


def main() -> int:
    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"],
        region_name=os.environ.get("AWS_S3_REGION_NAME", "us-east-1"),
    )
    for attempt in range(30):
        try:
            existing = {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}
            break
        except EndpointConnectionError:
            if attempt == 29:
                raise
            time.sleep(2)
    for pair in os.environ["CROODY_PUBLIC_BUCKETS"].split():
        bucket, _, prefix = pair.partition("=")
        if bucket not in existing:
            try:
                s3.create_bucket(Bucket=bucket)
            except ClientError as error:
                if error.response["Error"]["Code"] != "BucketAlreadyOwnedByYou":
                    raise
        s3.put_bucket_policy(Bucket=bucket, Policy=public_read_policy(bucket, prefix))
        print(json.dumps({"message": "bucket ready", "bucket": bucket, "public_prefix": prefix}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
