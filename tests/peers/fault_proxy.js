#!/usr/bin/env node
// A small fault-injecting reverse proxy for Horizon's tests (no
// dependencies).  It listens on 127.0.0.1, forwards every request to one
// target (HTTP or HTTPS) and answers a configurable share of requests with
// a fault instead, chosen by a seeded, deterministic generator:
//
//   429        429 + x-ms-retry-after-ms / retry-after-ms / Retry-After
//   503, 500   a service error with a JSON body
//   delay      hold the request for --delay-ms, then forward it if the
//              client is still there (a client timeout shorter than that
//              gives up first; the request is then never forwarded)
//   drop       destroy the client's socket before forwarding
//   delay_after forward at once, then hold the answer for --delay-ms (the
//              request took effect, its answer is late: a client that
//              gives up meanwhile never learns that it did)
//   drop_after forward, then destroy the socket instead of answering (the
//              request took effect, the answer is lost)
//   truncate   forward, send the headers and part of the body (e.g. an SSE
//              stream), then destroy the socket
//   malformed  forward, answer the upstream status with a damaged JSON body
//   401, 403   an authorization failure (a wrong or revoked key)
//   batch429   a transactional batch (x-ms-cosmos-is-batch-request)
//              answered as the service answers one throttled part way:
//              207, its first operation 429 with retryAfterMilliseconds
//              (--retry-after-ms), the others 424; nothing written (any
//              other request is forwarded)
//
// Usage:
//   node fault_proxy.js --target https://127.0.0.1:8081 [--port 0]
//        [--port-file F] [--tls-cert C --tls-key K] [--target-ca CA]
//        [--seed 1] [--rate 0.1]
//        [--faults 429=3,503=2,500=0,delay=1,drop=1,drop_after=0,
//                  truncate=0,malformed=0]
//        [--retry-after-ms 20] [--delay-ms 3000] [--truncate-bytes N]
//        [--path-regex REGEX]   fault only requests whose path matches
//        [--method M]           fault only requests of method M
//        [--body-regex REGEX]   fault only requests whose body matches
//                               (e.g. a job's lease renewals, not its
//                               final write: '"status":"running"')
//        [--skip N]             forward the first N requests that match
//                               (path, method, body) before faulting
//
// Run time: POST /__proxy/config with a JSON object of the same settings
// (rate, faults, seed, retryAfterMs, delayMs, truncateBytes, pathRegex,
// method, bodyRegex, skip);
// GET /__proxy/stats answers the counts of requests and faults by kind.
"use strict";

const http = require("http");
const https = require("https");
const fs = require("fs");

function parseArgs(argv) {
  const o = {};
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf("=");
    if (eq > 0) o[a.slice(2, eq)] = a.slice(eq + 1);
    else o[a.slice(2)] = argv[++i];
  }
  return o;
}

function parseFaults(spec) {
  const w = {};
  if (!spec) return w;
  for (const part of String(spec).split(",")) {
    if (!part) continue;
    const [k, v] = part.split(/[=:]/);
    w[k.trim()] = v === undefined ? 1 : Number(v);
  }
  return w;
}

const KINDS = ["429", "503", "500", "delay", "delay_after", "drop",
  "drop_after", "truncate", "malformed", "401", "403", "batch429"];

// mulberry32: small, fast, deterministic for a seed
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const args = parseArgs(process.argv);
if (args.help !== undefined) {
  process.stdout.write(fs.readFileSync(__filename, "utf8")
    .split("\n").filter((l) => l.startsWith("//")).join("\n") + "\n");
  process.exit(0);
}
if (!args.target) {
  console.error("fault_proxy: --target URL is required");
  process.exit(2);
}
const target = new URL(args.target);
const upstreamIsTls = target.protocol === "https:";
const agentOpts = { keepAlive: true, maxSockets: 64 };
if (args["target-ca"]) agentOpts.ca = fs.readFileSync(args["target-ca"]);
const agent = upstreamIsTls ? new https.Agent(agentOpts)
  : new http.Agent(agentOpts);

const cfg = {
  seed: Number(args.seed || 1),
  rate: Number(args.rate || 0),
  faults: parseFaults(args.faults || "429=1,503=1"),
  retryAfterMs: Number(args["retry-after-ms"] || 20),
  delayMs: Number(args["delay-ms"] || 3000),
  truncateBytes: args["truncate-bytes"] ? Number(args["truncate-bytes"]) : 0,
  pathRegex: args["path-regex"] || "",
  method: args.method || "",
  bodyRegex: args["body-regex"] || "",
  skip: Number(args.skip || 0),
};
let skipped = 0;
let rand = rng(cfg.seed);
let pathRe = cfg.pathRegex ? new RegExp(cfg.pathRegex) : null;
let bodyRe = cfg.bodyRegex ? new RegExp(cfg.bodyRegex) : null;
const stats = { requests: 0, forwarded: 0, faults: {} };
for (const k of KINDS) stats.faults[k] = 0;

function applyConfig(c) {
  if (c.rate !== undefined) cfg.rate = Number(c.rate);
  if (c.faults !== undefined)
    cfg.faults = typeof c.faults === "string" ? parseFaults(c.faults)
      : c.faults;
  if (c.retryAfterMs !== undefined) cfg.retryAfterMs = Number(c.retryAfterMs);
  if (c.delayMs !== undefined) cfg.delayMs = Number(c.delayMs);
  if (c.truncateBytes !== undefined)
    cfg.truncateBytes = Number(c.truncateBytes);
  if (c.pathRegex !== undefined) {
    cfg.pathRegex = c.pathRegex;
    pathRe = c.pathRegex ? new RegExp(c.pathRegex) : null;
  }
  if (c.method !== undefined) cfg.method = String(c.method);
  if (c.skip !== undefined) {
    cfg.skip = Number(c.skip);
    skipped = 0;
  }
  if (c.bodyRegex !== undefined) {
    cfg.bodyRegex = c.bodyRegex;
    bodyRe = c.bodyRegex ? new RegExp(c.bodyRegex) : null;
  }
  if (c.seed !== undefined) {
    cfg.seed = Number(c.seed);
    rand = rng(cfg.seed);
  }
}

// Decide the fate of one request: null (forward) or a fault kind.
function decide(path, method, body) {
  const r = rand();   // always draw: the sequence depends on order only
  const pick = rand();
  if (pathRe && !pathRe.test(path)) return null;
  if (cfg.method && method !== cfg.method) return null;
  if (bodyRe && !bodyRe.test(body.toString())) return null;
  if (skipped < cfg.skip) {
    skipped++;
    return null;
  }
  if (r >= cfg.rate) return null;
  let total = 0;
  for (const k of KINDS) total += cfg.faults[k] || 0;
  if (total <= 0) return null;
  let x = pick * total;
  for (const k of KINDS) {
    x -= cfg.faults[k] || 0;
    if (x < 0) return k;
  }
  return KINDS[KINDS.length - 1];
}

const HOP = new Set(["connection", "keep-alive", "proxy-connection",
  "transfer-encoding", "upgrade", "te", "trailer", "host"]);

function forward(req, body, onResponse, onError) {
  const headers = {};
  for (const [k, v] of Object.entries(req.headers))
    if (!HOP.has(k)) headers[k] = v;
  headers.host = target.host;
  headers["content-length"] = String(body.length);
  const mod = upstreamIsTls ? https : http;
  const up = mod.request({
    protocol: target.protocol, hostname: target.hostname,
    port: target.port, method: req.method, path: req.url, headers, agent,
  }, onResponse);
  up.on("error", onError);
  up.end(body);
}

function copyHeaders(upRes, res, drop = []) {
  for (const [k, v] of Object.entries(upRes.headers))
    if (!HOP.has(k) && !drop.includes(k)) res.setHeader(k, v);
}

function sendJson(res, status, obj, extra = {}) {
  const b = Buffer.from(JSON.stringify(obj));
  res.writeHead(status, { "content-type": "application/json",
    "content-length": b.length, ...extra });
  res.end(b);
}

function handle(req, res) {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    if (req.url.startsWith("/__proxy/")) {
      if (req.method === "POST" && req.url === "/__proxy/config") {
        try {
          applyConfig(JSON.parse(body.toString() || "{}"));
        } catch (e) {
          return sendJson(res, 400, { message: String(e.message) });
        }
        return sendJson(res, 200, cfg);
      }
      if (req.url === "/__proxy/stats") return sendJson(res, 200, stats);
      return sendJson(res, 404, { message: "no such proxy endpoint" });
    }
    stats.requests++;
    const fault = decide(req.url.split("?")[0], req.method, body);
    if (fault) stats.faults[fault]++;
    const upErr = (e) => {
      if (!res.headersSent)
        sendJson(res, 502, { message: `proxy: upstream error: ${e.message}` });
      else res.destroy();
    };
    switch (fault) {
      case "429": {
        const ms = cfg.retryAfterMs;
        return sendJson(res, 429, {
          code: "TooManyRequests",
          message: "Request rate is large (injected by fault_proxy)",
        }, {
          "x-ms-retry-after-ms": String(ms),
          "retry-after-ms": String(ms),
          "retry-after": String(Math.max(1, Math.ceil(ms / 1000))),
          "x-ms-request-charge": "0",
        });
      }
      case "401":
        return sendJson(res, 401, { code: "Unauthorized",
          message: "The input authorization token can't serve the request "
            + "(injected)" });
      case "403":
        return sendJson(res, 403, { code: "Forbidden",
          message: "Request blocked by network firewall (injected)" });
      case "503":
        return sendJson(res, 503, { code: "ServiceUnavailable",
          message: "Service is currently unavailable (injected)" });
      case "500":
        return sendJson(res, 500, { code: "InternalServerError",
          message: "Internal server error (injected)" });
      case "batch429": {
        if (String(req.headers["x-ms-cosmos-is-batch-request"] || "")
          .toLowerCase() !== "true") break;
        let ops = [];
        try { ops = JSON.parse(body.toString()); } catch (e) { ops = [{}]; }
        const out = ops.map((op, i) => i === 0
          ? { statusCode: 429, subStatusCode: 3200, requestCharge: 0,
              retryAfterMilliseconds: cfg.retryAfterMs }
          : { statusCode: 424, requestCharge: 0 });
        return sendJson(res, 207, out, { "x-ms-request-charge": "0" });
      }
      case "drop":
        return req.socket.destroy();
      case "delay": {
        let gone = false;
        res.on("close", () => { gone = true; });
        req.socket.on("close", () => { gone = true; });
        return setTimeout(() => {
          if (gone || req.socket.destroyed) return;
          stats.forwarded++;
          forward(req, body, (upRes) => {
            res.statusCode = upRes.statusCode;
            copyHeaders(upRes, res);
            upRes.pipe(res);
          }, upErr);
        }, cfg.delayMs);
      }
      default:
        break;
    }
    stats.forwarded++;
    forward(req, body, (upRes) => {
      if (fault === "delay_after") {
        const parts = [];
        upRes.on("data", (c) => parts.push(c));
        upRes.on("end", () => setTimeout(() => {
          if (res.destroyed || req.socket.destroyed) return;
          res.statusCode = upRes.statusCode;
          copyHeaders(upRes, res);
          res.end(Buffer.concat(parts));
        }, cfg.delayMs));
        return;
      }
      if (fault === "drop_after") {
        upRes.resume();
        upRes.on("end", () => req.socket.destroy());
        return;
      }
      if (fault === "malformed") {
        const parts = [];
        upRes.on("data", (c) => parts.push(c));
        upRes.on("end", () => {
          const full = Buffer.concat(parts).toString();
          const bad = Buffer.from(
            full.slice(0, Math.floor(full.length / 2)) + "{\"oops\":,]");
          res.statusCode = upRes.statusCode;
          copyHeaders(upRes, res, ["content-length"]);
          res.setHeader("content-length", bad.length);
          res.end(bad);
        });
        return;
      }
      res.statusCode = upRes.statusCode;
      copyHeaders(upRes, res, fault === "truncate" ? ["content-length"] : []);
      if (fault !== "truncate") {
        upRes.pipe(res);
        return;
      }
      // truncate: pass some bytes, then cut the connection
      const len = Number(upRes.headers["content-length"] || 0);
      let budget = cfg.truncateBytes > 0 ? cfg.truncateBytes
        : len > 0 ? Math.floor(len / 2) : 64;
      if (len > 0) res.setHeader("content-length", len);
      res.flushHeaders();
      upRes.on("data", (c) => {
        if (budget <= 0) return;
        const part = c.length > budget ? c.subarray(0, budget) : c;
        budget -= part.length;
        res.write(part);
        if (budget <= 0) setTimeout(() => req.socket.destroy(), 10);
      });
      upRes.on("end", () => {
        if (budget > 0) setTimeout(() => req.socket.destroy(), 10);
      });
    }, upErr);
  });
}

let server;
if (args["tls-cert"]) {
  server = https.createServer({ cert: fs.readFileSync(args["tls-cert"]),
    key: fs.readFileSync(args["tls-key"]), keepAlive: true }, handle);
} else {
  server = http.createServer({ keepAlive: true }, handle);
}
server.keepAliveTimeout = 30000;
server.listen(Number(args.port || 0), args.host || "127.0.0.1", () => {
  const port = server.address().port;
  if (args["port-file"]) {
    fs.writeFileSync(args["port-file"] + ".tmp", String(port));
    fs.renameSync(args["port-file"] + ".tmp", args["port-file"]);
  }
  console.log(`fault_proxy listening on 127.0.0.1:${port} -> ${target.href}` +
    ` (rate ${cfg.rate}, seed ${cfg.seed})`);
});
for (const sig of ["SIGTERM", "SIGINT"])
  process.on(sig, () => { server.close(); process.exit(0); });
