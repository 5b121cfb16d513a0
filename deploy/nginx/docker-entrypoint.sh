#!/bin/sh
# Renders the Croody templates and starts nginx in the foreground. Works on a
# read-only root filesystem: it writes only to $NGINX_CONF_DIR and /tmp.
set -eu

defaults=/etc/nginx/croody-defaults.env

# Apply a default to every NGINX_* name the environment leaves unset.
while IFS='=' read -r key value; do
    case "$key" in
        NGINX_*)
            eval "current=\${$key:-}"
            if [ -z "$current" ]; then
                export "$key=$value"
            fi
            ;;
    esac
done < "$defaults"

mkdir -p /tmp/nginx

# Without a mounted certificate, make a throwaway self-signed one so the stack
# still starts locally (browsers will warn; mount a real one via TLS_CERT_DIR).
if [ ! -s "$NGINX_TLS_CERT" ] || [ ! -s "$NGINX_TLS_KEY" ]; then
    echo '{"service":"nginx","level":"WARNING","message":"no TLS certificate mounted, using a self-signed one"}' >&2
    self_signed=/tmp/nginx/self-signed
    mkdir -p "$self_signed"
    openssl req -x509 -nodes -newkey rsa:2048 -days 30 \
        -subj "/CN=${NGINX_SELF_SIGNED_CN:-localhost}" \
        -addext "subjectAltName=DNS:${NGINX_SELF_SIGNED_CN:-localhost}" \
        -keyout "$self_signed/tls.key" -out "$self_signed/tls.crt" 2>/dev/null
    export NGINX_TLS_CERT="$self_signed/tls.crt" NGINX_TLS_KEY="$self_signed/tls.key"
fi

mkdir -p "$NGINX_CONF_DIR"
cp -R /etc/nginx/croody-src/. "$NGINX_CONF_DIR/"

# Substitute only our own names so nginx's $variables survive.
names=$(sed -n 's/^\(NGINX_[A-Z_]*\)=.*/${\1}/p' "$defaults" | tr '\n' ' ')
for template in /etc/nginx/templates/*.template; do
    envsubst "$names" < "$template" > "$NGINX_CONF_DIR/$(basename "$template" .template)"
done

nginx -e stderr -t -q
exec nginx -e stderr -g "daemon off;"
