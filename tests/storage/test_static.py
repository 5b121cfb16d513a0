"""collectstatic to S3: hashed files in the static bucket, served from their S3 URLs, and
allowed by the Content-Security-Policy."""

import json

import httpx

from tests.servers import base_env, run_manage

# What {% static %} gives in production (force: hashed names whatever DEBUG says).
SHOW_URLS = (
    "from django.conf import settings;"
    "from django.contrib.staticfiles.storage import staticfiles_storage as static;"
    "print(static.url('croody/css/tokens.css', force=True));"
    "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['style-src']))"
)


def test_collectstatic_uploads_hashed_files_that_pages_link_to(s3_env, s3, tmp_path):
    # No CDN domain here: the files' own bucket URLs (with one, see test_media.py).
    env = {key: value for key, value in s3_env.items() if key != "AWS_S3_CUSTOM_DOMAIN"}
    env = base_env(tmp_path, **env)
    run_manage(env, "collectstatic", "--noinput", "-v", "0")

    bucket = s3_env["AWS_STATIC_BUCKET_NAME"]
    manifest = s3.get_object(Bucket=bucket, Key="static/staticfiles.json")["Body"].read()
    hashed = json.loads(manifest)["paths"]["croody/css/tokens.css"]
    assert hashed != "croody/css/tokens.css"  # a content hash in the name: cacheable forever
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert f"static/{hashed}" in keys
    assert any(key.startswith("static/wagtailadmin/") for key in keys)  # the admin's too

    url, style_src = run_manage(env, "shell", "-c", SHOW_URLS).strip().splitlines()[-2:]
    assert url == f"{s3_env['AWS_S3_ENDPOINT_URL']}/{bucket}/static/{hashed}"
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert b"--" in response.content  # the design tokens
    assert s3_env["AWS_S3_ENDPOINT_URL"] in style_src.split()
