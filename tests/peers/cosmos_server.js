#!/usr/bin/env node
// Start @vercel/cosmosdb-server (a Cosmos DB NoSQL REST peer) on
// 127.0.0.1 with TLS and keep-alive.
//
//   node cosmos_server.js --cert CERT.pem --key KEY.pem [--port 0]
//        [--port-file F] [--no-ssl] [--stats-file F]
//        [--auth key|aad|both --aad-secret S --aad-audience URL]
//
// Request bodies over 2 MB get 413 RequestEntityTooLarge, as the service
// answers a document or a transactional batch over its 2 MB limit.
//
// The certificate comes from the test (openssl req -x509 ... -addext
// "subjectAltName=IP:127.0.0.1"): the one bundled with the package
// expired in 2021.  With --port 0 the kernel picks a free port, written
// to --port-file once the server listens.
//
// --auth aad makes it check Microsoft Entra ID authorization as the
// service does when key authorization is disabled: the header must be
// url-encoded "type=aad&ver=1.0&sig=<token>" with a token from
// token_server.js (HS256 with --aad-secret, not expired, aud equal to
// --aad-audience), else 401; master-key requests get 401 ("Local
// Authorization is disabled"); creating or deleting databases and
// containers with a token gets 403 (data-plane roles do not allow control
// plane operations).  --auth both accepts either kind.  GET /__aad answers
// {auth, accepted, rejected, master, tokens: [serials seen], last}; POST
// /__aad {"auth": "aad"} switches the mode at run time (e.g. after
// provisioning with the key).
"use strict";

const fs = require("fs");
const path = require("path");
const jwt = require("./jwt_hs256.js");

function parseArgs(argv) {
  const o = {};
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--no-ssl") o["no-ssl"] = true;
    else if (a.startsWith("--")) o[a.slice(2)] = argv[++i];
  }
  return o;
}

const args = parseArgs(process.argv);
const pkgDir = path.join(__dirname, "node_modules", "@vercel",
  "cosmosdb-server");

// The server's transactional batch is not atomic (each operation applies
// as it goes) and answers 200 where the service answers 207 when an
// operation fails.  Wrap its handler, before its routes table captures
// it, so that an atomic batch is all or nothing (the container's maps are
// restored exactly, ETags included: the handler runs synchronously once
// the body is read) and a failed batch answers 207, as documented for
// the service.  --raw-batch keeps the package's own behaviour.
if (!args["raw-batch"]) {
  const batchMod = require(path.join(pkgDir, "lib", "handler",
    "batch-documents.js"));
  const ops = require(path.join(pkgDir, "lib", "handler",
    "_document-operations.js"));
  const json = require(path.join(pkgDir, "lib", "json.js")).default;
  const orig = batchMod.default;
  const run = {
    Create: ops.createOperation, Upsert: ops.upsertOperation,
    Read: ops.readOperation, Delete: ops.deleteOperation,
    Replace: ops.replaceOperation,
  };
  batchMod.default = async (account, req, res, params) => {
    const atomic = String(req.headers["x-ms-cosmos-batch-atomic"] || "")
      .toLowerCase() === "true";
    if (!atomic) return orig(account, req, res, params);
    const body = await json(req);
    // from here on everything is synchronous: no other request runs
    const coll = account.database(params.dbId).collection(params.collId);
    if (!coll.read()) {
      res.statusCode = 404;
      return {};
    }
    if (!Array.isArray(body) || body.length > 100) {
      res.statusCode = 400;
      return { message: "a batch is a list of at most 100 operations" };
    }
    const items = coll.documents;
    const snap = { data: new Map(items._data), index: new Map(items._index),
      rid: items._ridCount };
    const out = [];
    let failedAt = -1;
    for (let i = 0; i < body.length; i++) {
      const input = body[i];
      const f = input && run[input.operationType];
      if (!f) {
        res.statusCode = 400;
        failedAt = i;
        out.push({ statusCode: 400, requestCharge: 0 });
        break;
      }
      const r = f(coll, input);
      if (r.statusCode >= 400) {
        failedAt = i;
        out.push({ statusCode: r.statusCode, requestCharge: 0 });
        break;
      }
      out.push({ statusCode: r.statusCode, requestCharge: 1,
        eTag: r.body ? r.body._etag : undefined, resourceBody: r.body });
    }
    if (failedAt < 0) return out;
    items._data = snap.data;
    items._index = snap.index;
    items._ridCount = snap.rid;
    if (res.statusCode !== 400) res.statusCode = 207;
    return body.map((_, i) => (i === failedAt ? out[i]
      : { statusCode: 424, requestCharge: 0 }));
  };
}

// Speed only (same results): the query engine compiles
//   coll.reduce(($, c) => typeof c !== "undefined" ? [...$, {c: c}] : $, [])
// which copies the array for every document (quadratic: ~30 ms per query
// on 1,000 jobs, and the runners query the queue constantly).  Rewrite that
// reduction to push in place.
if (!args["raw-query"]) {
  const qmod = require(require.resolve("@zeit/cosmosdb-query",
    { paths: [pkgDir] }));
  const proto = Object.getPrototypeOf(qmod.default("SELECT * FROM c"));
  const desc = Object.getOwnPropertyDescriptor(proto, "code");
  const re = /\(\$, (\w+)\) => typeof \1 !== "undefined" \? \[\.\.\.\$, (\{[^{}]*\})\] : \$, \[\]\)/g;
  Object.defineProperty(proto, "code", {
    configurable: true,
    get() {
      const code = desc.get.call(this);
      return code ? code.replace(re,
        "($, $1) => (typeof $1 !== \"undefined\" && $.push($2), $), [])")
        : code;
    },
  });
}

const lib = require(pkgDir);
let server;
if (args["no-ssl"]) {
  server = lib.createHttpServer({ keepAlive: true });
} else {
  if (!args.cert || !args.key) {
    console.error("cosmos_server: --cert and --key are required (or " +
      "--no-ssl)");
    process.exit(2);
  }
  server = lib.createHttpsServer({
    cert: fs.readFileSync(args.cert),
    key: fs.readFileSync(args.key),
    keepAlive: true,
  });
}
server.keepAliveTimeout = 30000;

const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
const aad = { accepted: 0, rejected: 0, master: 0, tokens: [], last: "" };
function authProblem(req) {
  const mode = args.auth || "key";
  let h = String(req.headers.authorization || "");
  try { h = decodeURIComponent(h); } catch (e) { return [401, "bad header"]; }
  if (h.startsWith("type=master&")) {
    aad.master++;
    return mode === "aad" ? [401, "Local Authorization is disabled. Use an " +
      "AAD token to authorize all requests."] : null;
  }
  if (!h.startsWith("type=aad&ver=1.0&sig="))
    return mode === "key" ? null : [401, "Required Header authorization " +
      "is missing or not an AAD token"];
  const claims = jwt.verify(h.slice("type=aad&ver=1.0&sig=".length),
    args["aad-secret"], args["aad-audience"]);
  if (typeof claims === "string") return [401, `AAD token refused: ${claims}`];
  if (!aad.tokens.includes(claims.n)) aad.tokens.push(claims.n);
  const p = req.url.split("?")[0].replace(/\/+$/, "");
  const control = (req.method === "POST" && /^\/dbs(\/[^/]+\/colls)?$/.test(p)) ||
    ((req.method === "PUT" || req.method === "DELETE") &&
      /^\/dbs\/[^/]+(\/colls\/[^/]+)?$/.test(p));
  if (control) return [403, "Request blocked by Auth: the principal does " +
    "not have required RBAC permissions to perform action " +
    "[Microsoft.DocumentDB/databaseAccounts/sqlDatabases/write]"];
  return null;
}
{
  const orig = server.listeners("request").slice();
  server.removeAllListeners("request");
  server.on("request", (req, res) => {
    if (req.url === "/__aad") {
      let body = "";
      req.on("data", (c) => { body += c; });
      return req.on("end", () => {
        if (req.method === "POST" && body) {
          const o = JSON.parse(body);
          if (o.auth) args.auth = o.auth;
        }
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(Object.assign({ auth: args.auth || "key" },
          aad)));
      });
    }
    // the service's limit: a document, and a transactional batch, of at
    // most 2 MB ("Request size is too large", 413)
    if (Number(req.headers["content-length"] || 0) > MAX_REQUEST_BYTES) {
      req.resume();
      res.statusCode = 413;
      res.setHeader("content-type", "application/json");
      res.setHeader("x-ms-request-charge", "0");
      return res.end(JSON.stringify({ code: "RequestEntityTooLarge",
        message: "Request size is too large" }));
    }
    const problem = authProblem(req);
    if (problem) {
      aad.rejected++;
      aad.last = problem[1];
      req.resume();
      res.statusCode = problem[0];
      res.setHeader("content-type", "application/json");
      res.setHeader("x-ms-request-charge", "0");
      return res.end(JSON.stringify({
        code: problem[0] === 401 ? "Unauthorized" : "Forbidden",
        message: problem[1] }));
    }
    if (String(req.headers.authorization || "").startsWith("type%3Daad"))
      aad.accepted++;
    for (const l of orig) l.call(server, req, res);
  });
}
// --stats-file F: count requests and the request charge answered (this
// server charges 1 RU a request), written to F at exit (SIGTERM/SIGINT)
// and on SIGUSR1 (a snapshot)
const stats = { requests: 0, charge: 0 };
server.on("request", (req, res) => {
  stats.requests++;
  res.on("finish", () => {
    stats.charge += Number(res.getHeader("x-ms-request-charge") || 0);
  });
});
function writeStats() {
  if (args["stats-file"])
    fs.writeFileSync(args["stats-file"], JSON.stringify(stats) + "\n");
}
server.listen(Number(args.port || 0), "127.0.0.1", () => {
  const port = server.address().port;
  if (args["port-file"]) {
    fs.writeFileSync(args["port-file"] + ".tmp", String(port));
    fs.renameSync(args["port-file"] + ".tmp", args["port-file"]);
  }
  console.log(`cosmosdb-server listening on 127.0.0.1:${port}`);
});
for (const sig of ["SIGTERM", "SIGINT"])
  process.on(sig, () => { writeStats(); server.close(); process.exit(0); });
process.on("SIGUSR1", writeStats);  // a snapshot, keep serving
