// Test-only JSON Web Tokens signed with HMAC-SHA256 (no dependencies):
// the mock token endpoint (token_server.js) issues them, the Cosmos DB
// peer (cosmos_server.js --aad-*) and the LLM stub (llm_stub.js) check
// them.  The secret is a test value shared on their command lines.
"use strict";

const crypto = require("crypto");

function b64url(buf) {
  return Buffer.from(buf).toString("base64").replace(/=+$/, "")
    .replace(/\+/g, "-").replace(/\//g, "_");
}

function sign(claims, secret) {
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(claims));
  const mac = crypto.createHmac("sha256", secret).update(`${head}.${body}`)
    .digest();
  return `${head}.${body}.${b64url(mac)}`;
}

// The claims of a valid token, or an error string: bad shape or
// signature, expired, or issued for another audience.
function verify(token, secret, audience, nowSec) {
  const parts = String(token || "").split(".");
  if (parts.length !== 3) return "not a JWT";
  const mac = crypto.createHmac("sha256", secret)
    .update(`${parts[0]}.${parts[1]}`).digest();
  if (b64url(mac) !== parts[2]) return "bad signature";
  let claims;
  try {
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString());
  } catch (e) {
    return "unreadable claims";
  }
  const now = nowSec === undefined ? Date.now() / 1000 : nowSec;
  if (!(claims.exp > now)) return `token expired at ${claims.exp}`;
  if (audience && claims.aud !== audience)
    return `wrong audience '${claims.aud}', expected '${audience}'`;
  return claims;
}

module.exports = { sign, verify, b64url };
