#!/usr/bin/env node
// An OpenAI / Azure OpenAI chat-completions stub for Horizon's tests (no
// dependencies) that records every request, so tests can check what the
// client sent, and misbehaves on demand in the ways streams fail.
//
// Paths: /v1/chat/completions (OpenAI), /openai/deployments/D/chat/
// completions?api-version=V and /openai/v1/chat/completions (Azure).
//
//   node llm_stub.js [--port 0] [--port-file F] [--key K]
//        [--aad-secret S --aad-audience https://cognitiveservices.azure.com]
//
// Authorization: with --key, an "api-key" header or a bearer key must equal
// K; with --aad-secret a bearer JWT (token_server.js) must verify (HS256,
// not expired, audience); else 401.  Answers: with response_format
// json_schema an object with every required property ("narrative for
// ID"), with json_object the same for the job ids in the prompt
// ("job ID (type):" lines), else "narrative: " and the first line of the
// last message.  Streams send the answer in chunks of 8 characters.
//
// Run time: POST /__config {chunkMs, stallAfter, stallMs, fault,
// faultTimes, status, statusTimes, replyMs, textBytes} where fault is
// "malformed", "truncate", "error" or "stall" for the next faultTimes
// streamed requests; status answers the next statusTimes requests with
// that HTTP status; replyMs delays every answer that is not streamed;
// textBytes pads every narrative with "x" to that many characters; text
// replaces every narrative.  GET /__requests lists the recorded requests {method, path,
// query, auth, body}; POST /__reset forgets them.  auth is "api-key",
// "bearer-key", "bearer-token", or "none" (never the secret itself).
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
let cfg = {};
let requests = [];
const defaults = { chunkMs: 1, stallAfter: 2, stallMs: 5000, fault: "",
  faultTimes: 0, status: 0, statusTimes: 0, replyMs: 0, textBytes: 0 };
cfg = Object.assign({}, defaults);

function send(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { "content-type": "application/json",
    "content-length": Buffer.byteLength(body) });
  res.end(body);
}

// The kind of authorization, or an error message.
function checkAuth(req) {
  const key = req.headers["api-key"];
  const authz = String(req.headers.authorization || "");
  if (key !== undefined) {
    if (args.key && key !== args.key) return [null, "Access denied due to " +
      "invalid subscription key or wrong API endpoint."];
    return ["api-key", null];
  }
  if (!authz.startsWith("Bearer ")) return ["none", args.key ||
    args["aad-secret"] ? "missing credentials" : null];
  const tok = authz.slice(7);
  if (args["aad-secret"] && tok.split(".").length === 3) {
    const c = jwt.verify(tok, args["aad-secret"], args["aad-audience"]);
    return typeof c === "string" ? [null, `token refused: ${c}`]
      : ["bearer-token", null];
  }
  if (args.key && tok !== args.key) return [null, "Incorrect API key"];
  return ["bearer-key", null];
}

function pad(text) {
  if (typeof cfg.text === "string") return cfg.text;
  return cfg.textBytes > text.length
    ? text + "x".repeat(cfg.textBytes - text.length) : text;
}

function answerText(body) {
  const rf = body.response_format || {};
  const last = (body.messages || []).slice(-1)[0] || { content: "" };
  if (rf.type === "json_schema") {
    const req = ((rf.json_schema || {}).schema || {}).required || [];
    const o = {};
    for (const id of req) o[id] = pad(`narrative for ${id}`);
    return JSON.stringify(o);
  }
  if (rf.type === "json_object") {
    const o = {};
    for (const m of String(last.content).matchAll(/^job (\S+) \(/gm))
      o[m[1]] = pad(`narrative for ${m[1]}`);
    return JSON.stringify(o);
  }
  return pad("narrative: " + String(last.content).split("\n")[0]);
}

function usage(body, text) {
  const p = JSON.stringify(body.messages || []).length;
  return { prompt_tokens: p, completion_tokens: text.length,
    total_tokens: p + text.length };
}

function stream(res, body, text) {
  const fault = cfg.faultTimes > 0 ? cfg.fault : "";
  if (fault) cfg.faultTimes--;
  res.writeHead(200, { "content-type": "text/event-stream" });
  const chunks = [];
  for (let i = 0; i < text.length; i += 8) chunks.push(text.slice(i, i + 8));
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    if (fault && i === cfg.stallAfter) {
      if (fault === "truncate") return res.destroy();
      if (fault === "malformed") res.write("data: {\"choices\": [\n\n");
      if (fault === "error") res.write("data: {\"error\": {\"message\": " +
        "\"The server had an error while processing your request\"}}\n\n");
      if (fault === "stall") return setTimeout(rest, cfg.stallMs);
    }
    rest();
  };
  const rest = () => {
    if (res.destroyed) return;
    if (i < chunks.length) {
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0,
        delta: { content: chunks[i] }, finish_reason: null }] })}\n\n`);
      i++;
      return setTimeout(next, cfg.chunkMs);
    }
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {},
      finish_reason: "stop" }] })}\n\n`);
    res.write(`data: ${JSON.stringify({ choices: [],
      usage: usage(body, text) })}\n\n`);
    res.end("data: [DONE]\n\n");
  };
  next();
}

function chat(req, res, url, raw) {
  let body;
  try { body = JSON.parse(raw); } catch (e) {
    return send(res, 400, { error: { message: "body is not JSON" } });
  }
  const [auth, problem] = checkAuth(req);
  requests.push({ method: req.method, path: url.pathname,
    query: Object.fromEntries(url.searchParams), auth: auth || "refused",
    body });
  if (problem) return send(res, 401, { error: { code: "401",
    message: problem } });
  if (cfg.statusTimes > 0) {
    cfg.statusTimes--;
    return send(res, cfg.status, { error: { message: `stub ${cfg.status}` } });
  }
  const text = answerText(body);
  if (body.stream) return stream(res, body, text);
  setTimeout(() => send(res, 200, { id: "chatcmpl-stub",
    object: "chat.completion", model: body.model || "deployment",
    choices: [{ index: 0, message: { role: "assistant", content: text },
      finish_reason: "stop" }], usage: usage(body, text) }), cfg.replyMs);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  let raw = "";
  req.on("data", (c) => { raw += c; });
  req.on("end", () => {
    if (url.pathname === "/__config" && req.method === "POST") {
      cfg = Object.assign({}, defaults, JSON.parse(raw || "{}"));
      return send(res, 200, cfg);
    }
    if (url.pathname === "/__requests") return send(res, 200, requests);
    if (url.pathname === "/__reset") {
      requests = [];
      return send(res, 200, {});
    }
    if (req.method === "POST" && (url.pathname === "/v1/chat/completions" ||
        url.pathname === "/openai/v1/chat/completions" ||
        /^\/openai\/deployments\/[^/]+\/chat\/completions$/
          .test(url.pathname)))
      return chat(req, res, url, raw);
    send(res, 404, { error: { message: `no route ${url.pathname}` } });
  });
});
server.listen(Number(args.port || 0), "127.0.0.1", () => {
  const port = server.address().port;
  if (args["port-file"]) {
    fs.writeFileSync(args["port-file"] + ".tmp", String(port));
    fs.renameSync(args["port-file"] + ".tmp", args["port-file"]);
  }
  console.log(`llm_stub listening on 127.0.0.1:${port}`);
});
for (const sig of ["SIGTERM", "SIGINT"])
  process.on(sig, () => { server.close(); process.exit(0); });
