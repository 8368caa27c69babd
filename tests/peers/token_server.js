#!/usr/bin/env node
// A mock Microsoft Entra ID token service for Horizon's tests (no
// dependencies).  It answers the three shapes Horizon asks:
//
//   POST /{tenant}/oauth2/v2.0/token      client credentials grant with
//        client_secret, or client_assertion (workload identity); answers
//        {token_type, expires_in (number), ext_expires_in, access_token}
//   GET  /msi/token?api-version=2019-08-01&resource=R[&client_id=C]
//        App Service / Container Apps managed identity; needs
//        X-IDENTITY-HEADER; answers {access_token, expires_on (string),
//        resource, token_type, client_id}
//   GET  /metadata/identity/oauth2/token?api-version=2018-02-01&resource=R
//        IMDS; needs "Metadata: true"; answers strings for expires_in,
//        expires_on, not_before
//
// Tokens are HS256 JWTs (jwt_hs256.js) with aud = the resource (scope
// without "/.default"), exp, and n = a serial number.
//
//   node token_server.js --secret S [--port 0] [--port-file F]
//        [--tenant T] [--client-id C] [--client-secret X]
//        [--assertion-file F] [--identity-header H] [--lifetime 3600]
//        [--unknown-scope SCOPE]   answer AADSTS500011 for this scope
//
// Run time: POST /__config {lifetime, fail, failStatus, wrongAudience,
// hang} (fail: answer the next N token requests with failStatus, default
// 500; hang: while true, token requests are never answered: an identity
// endpoint that hangs);
// GET /__stats answers {requests, issued, failed, hung, byKind, last}
// (last: the last request's kind, resource/scope and client id; never a
// secret).
"use strict";

const http = require("http");
const fs = require("fs");
const jwt = require("./jwt_hs256.js");

function parseArgs(argv) {
  const o = {};
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    o[a.slice(2)] = argv[++i];
  }
  return o;
}

const args = parseArgs(process.argv);
if (!args.secret) {
  console.error("token_server: --secret is required");
  process.exit(2);
}
const cfg = {
  lifetime: Number(args.lifetime || 3600),
  fail: 0,
  failStatus: 500,
  wrongAudience: false,
  hang: false,
};
const stats = { requests: 0, issued: 0, failed: 0, hung: 0, byKind: {},
  last: null };

function send(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { "content-type": "application/json",
    "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function issue(resource, kind, clientId) {
  const now = Math.floor(Date.now() / 1000);
  const aud = cfg.wrongAudience ? "https://wrong-audience.example.com"
    : resource;
  stats.issued++;
  const claims = { aud, iat: now, nbf: now, exp: now + cfg.lifetime,
    iss: "https://mock-entra.invalid/", appid: clientId || "system",
    src: kind, n: stats.issued };
  return { token: jwt.sign(claims, args.secret), exp: now + cfg.lifetime,
    aud };
}

function injectedFailure(res) {
  if (cfg.fail <= 0) return false;
  cfg.fail--;
  stats.failed++;
  send(res, cfg.failStatus, { error: "temporarily_unavailable",
    error_description: `mock failure (HTTP ${cfg.failStatus})` });
  return true;
}

function grant(req, res, tenant, body) {
  const f = new URLSearchParams(body);
  const scope = f.get("scope") || "";
  stats.last = { kind: "grant", scope, clientId: f.get("client_id"),
    assertion: f.has("client_assertion") };
  const bad = (code, msg) => send(res, code === "invalid_client" ? 401 : 400,
    { error: code, error_description: msg });
  if (args.tenant && tenant !== args.tenant)
    return bad("invalid_request", `AADSTS90002: Tenant '${tenant}' not found.`);
  if (f.get("grant_type") !== "client_credentials")
    return bad("unsupported_grant_type", "AADSTS70003: bad grant_type");
  if (args["client-id"] && f.get("client_id") !== args["client-id"])
    return bad("unauthorized_client", "AADSTS700016: Application not found");
  if (!scope.endsWith("/.default"))
    return bad("invalid_scope", "AADSTS1002012: scope must end /.default");
  if (args["unknown-scope"] && scope === args["unknown-scope"])
    return bad("invalid_resource", "AADSTS500011: The resource principal " +
      `named ${scope.replace("/.default", "")} was not found in the tenant`);
  if (f.has("client_assertion")) {
    const want = args["assertion-file"] ?
      fs.readFileSync(args["assertion-file"], "utf8").trim() : null;
    if (f.get("client_assertion_type") !==
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" ||
        (want !== null && f.get("client_assertion") !== want))
      return bad("invalid_client", "AADSTS700024: Client assertion is not " +
        "within its valid time range or does not match.");
    stats.byKind.workload = (stats.byKind.workload || 0) + 1;
  } else {
    if (!args["client-secret"] ||
        f.get("client_secret") !== args["client-secret"])
      return bad("invalid_client",
        "AADSTS7000215: Invalid client secret provided.");
    stats.byKind.secret = (stats.byKind.secret || 0) + 1;
  }
  if (injectedFailure(res)) return;
  const t = issue(scope.replace(/\/\.default$/, ""), "grant",
    f.get("client_id"));
  send(res, 200, { token_type: "Bearer", expires_in: cfg.lifetime,
    ext_expires_in: cfg.lifetime, access_token: t.token });
}

function managed(req, res, url, imds) {
  const q = url.searchParams;
  const resource = q.get("resource") || "";
  stats.last = { kind: imds ? "imds" : "msi", resource,
    clientId: q.get("client_id") };
  if (imds && req.headers.metadata !== "true")
    return send(res, 400, { error: "invalid_request",
      error_description: "Required metadata header not specified" });
  if (!imds && (!args["identity-header"] ||
      req.headers["x-identity-header"] !== args["identity-header"]))
    return send(res, 401, { statusCode: 401,
      message: "Unauthorized: X-IDENTITY-HEADER is missing or wrong" });
  const want = imds ? "2018-02-01" : "2019-08-01";
  if (q.get("api-version") !== want)
    return send(res, 400, { error: "invalid_request",
      error_description: `api-version must be ${want}` });
  if (!resource) return send(res, 400, { error: "invalid_resource",
    error_description: "resource is required" });
  const kind = imds ? "imds" : "msi";
  stats.byKind[kind] = (stats.byKind[kind] || 0) + 1;
  if (injectedFailure(res)) return;
  const t = issue(resource, kind, q.get("client_id"));
  const resField = cfg.wrongAudience ? t.aud : resource;
  if (imds)
    return send(res, 200, { access_token: t.token, refresh_token: "",
      expires_in: String(cfg.lifetime), expires_on: String(t.exp),
      ext_expires_in: String(cfg.lifetime),
      not_before: String(t.exp - cfg.lifetime), resource: resField,
      token_type: "Bearer" });
  send(res, 200, { access_token: t.token, expires_on: String(t.exp),
    resource: resField, token_type: "Bearer",
    client_id: q.get("client_id") || "system-assigned" });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  let body = "";
  req.on("data", (c) => { body += c; });
  req.on("end", () => {
    if (url.pathname === "/__config" && req.method === "POST") {
      Object.assign(cfg, JSON.parse(body || "{}"));
      return send(res, 200, cfg);
    }
    if (url.pathname === "/__stats") return send(res, 200, stats);
    stats.requests++;
    if (cfg.hang) { stats.hung++; return; } // never answered
    const m = url.pathname.match(/^\/([^/]+)\/oauth2\/v2\.0\/token$/);
    if (m && req.method === "POST") return grant(req, res, m[1], body);
    if (url.pathname === "/msi/token" && req.method === "GET")
      return managed(req, res, url, false);
    if (url.pathname === "/metadata/identity/oauth2/token" &&
        req.method === "GET")
      return managed(req, res, url, true);
    send(res, 404, { error: "not_found", error_description: url.pathname });
  });
});
server.listen(Number(args.port || 0), "127.0.0.1", () => {
  const port = server.address().port;
  if (args["port-file"]) {
    fs.writeFileSync(args["port-file"] + ".tmp", String(port));
    fs.renameSync(args["port-file"] + ".tmp", args["port-file"]);
  }
  console.log(`token_server listening on 127.0.0.1:${port}`);
});
for (const sig of ["SIGTERM", "SIGINT"])
  process.on(sig, () => { server.close(); process.exit(0); });
