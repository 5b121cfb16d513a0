#!/bin/sh
# One-off release step for the CMS image, run before new app tasks serve
# traffic: compose's cms-init service and the ECS release task in deploy.yml
# (task definition owned by Terraform, read-only root filesystem, /tmp writable).
#
# Production does: each service's database role and database (with
# DATABASE_ADMIN_URL), migrations, static files, compiled interface catalogues
# (already in the image; a no-op then) and the 8 locales.
# Opt-in through the environment:
#   CROODY_DEMO_CONTENT=1    also load the demo pages, images and translations
#   CROODY_ADMIN_PASSWORD    create the admin (CROODY_ADMIN_USERNAME, default
#                            admin) if it does not exist yet; an existing admin
#                            and its password are left alone, and the password
#                            is never printed or written to disk
set -eu

# Nothing below writes under /app (root-owned and read-only): anything Django
# puts in its var directory goes to /tmp, the only writable path on ECS.
CROODY_VAR_DIR="${CROODY_VAR_DIR:-/tmp/croody}"
export CROODY_VAR_DIR

# The admin's URL and the services' database URLs (their roles' passwords) are
# for ensure_databases alone: nothing after it, Django included, sees them.
python /usr/local/lib/croody/ensure_databases.py
unset DATABASE_ADMIN_URL TELEMETRY_DATABASE_URL IDS_DATABASE_URL

python manage.py migrate --noinput
python manage.py collectstatic --noinput

# Catalogues and locales always; demo content only when asked for. The admin is
# never left to setup_croody, which stores and prints the password it sets.
if [ "${CROODY_DEMO_CONTENT:-0}" = 1 ]; then
    python manage.py setup_croody --no-admin
else
    python manage.py setup_croody --no-admin --no-demo
fi

if [ -n "${CROODY_ADMIN_PASSWORD:-}" ]; then
    python manage.py shell --no-imports -c '
import os

from django.contrib.auth import get_user_model

username = os.environ.get("CROODY_ADMIN_USERNAME") or "admin"
email = os.environ.get("CROODY_ADMIN_EMAIL") or "admin@croody.local"
users = get_user_model().objects
if users.filter(username=username).exists():
    print(f"Admin {username}: already there (password unchanged)")
else:
    users.create_superuser(username, email, os.environ["CROODY_ADMIN_PASSWORD"])
    print(f"Admin {username}: created")
'
fi
