#!/bin/sh
# Development-only TLS for docker/compose.yaml: one CA and one server certificate for the service names, kept in /certs.
# did:web resolves to https for every host except loopback, so connectors that talk over the compose network need TLS.
set -eu
cd /certs
if [ -s server.crt ] && [ -s ca.crt ]; then echo "certificates exist"; exit 0; fi
command -v openssl >/dev/null 2>&1 || apk add --no-cache openssl >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=pcf-connector dev CA" -keyout ca.key -out ca.crt
openssl req -newkey rsa:2048 -nodes -subj "/CN=supplier" -keyout server.key -out server.csr
printf 'subjectAltName=DNS:supplier,DNS:consumer,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -extfile server.ext -out server.crt
rm -f server.csr server.ext ca.srl ca.key
# The connectors run as uid 1000 (node) and must read the key.
chown 1000:1000 server.key server.crt ca.crt
chmod 0400 server.key
chmod 0444 server.crt ca.crt
echo "certificates created"
