// Container HEALTHCHECK: GET /health on the local listener (HTTPS when PCF_TLS_CERT_FILE is set); exit 0 only on 200.
'use strict';
/* global process, require */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script run by node in the image */
const tls = Boolean(process.env.PCF_TLS_CERT_FILE);
const client = tls ? require('node:https') : require('node:http');
const port = Number(process.env.PORT || 8080);
// The certificate names the public host, not 127.0.0.1; this probe only asks "does the process answer".
const req = client.get({ host: '127.0.0.1', port, path: '/health', timeout: 4000, rejectUnauthorized: false }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', () => process.exit(1));
