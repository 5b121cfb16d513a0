#!/bin/sh
# One-off release step for the CMS image, run before new app tasks serve
# traffic: compose's cms-init service and the ECS "release" task in deploy.yml.
set -eu

python /usr/local/lib/croody/ensure_databases.py
python manage.py migrate --noinput
python manage.py collectstatic --noinput
python manage.py setup_croody
