#!/usr/bin/env node
// Reference Cosmos DB master-key authorization headers computed by the
// official SDK's own signing code (@azure/cosmos, utils/headers.js).
//
//   node cosmos_sig.js KEY_B64 < vectors.tsv
//
// Each input line is "VERB<TAB>RESOURCE_TYPE<TAB>RESOURCE_LINK<TAB>DATE"
// (DATE an RFC 1123 date); each output line is the Authorization header
// value the SDK sends for it.  Prints nothing to stderr on success.
"use strict";

const path = require("path");
const fs = require("fs");

const headersJs = path.join(__dirname, "node_modules", "@azure", "cosmos",
  "dist", "commonjs", "utils", "headers.js");
const { generateHeaders } = require(headersJs);

async function main() {
  const key = process.argv[2];
  if (!key) {
    console.error("usage: cosmos_sig.js KEY_B64 < vectors.tsv");
    process.exit(2);
  }
  const lines = fs.readFileSync(0, "utf8").split("\n").filter((l) => l);
  for (const line of lines) {
    const [verb, rtype, link, date] = line.split("\t");
    const h = await generateHeaders(key, verb, rtype, link || "",
      new Date(date));
    if (h["x-ms-date"] !== date)
      throw new Error(`date round trip: ${h["x-ms-date"]} != ${date}`);
    process.stdout.write(h.authorization + "\n");
  }
}
main().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
