/**
 * What the bundle gives undici in place of `node:http2` (package.json, `bundle`). undici's
 * HTTP/2 client loads that module at start-up only to read its header constants; it runs
 * when a TLS server picks h2 over ALPN, which undici offers only with `allowH2`, and the
 * crawler never sets it: the mirrors are spoken to over HTTP/1.1. Loading `node:http2`
 * (and `node:tls` with it) cost every command ~15-30 ms of its start.
 */
export const constants = {};
