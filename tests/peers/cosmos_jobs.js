#!/usr/bin/env node
// Seed and verify Horizon job documents in a Cosmos DB account with the
// official SDK (@azure/cosmos): the C runner then claims documents the SDK
// wrote, and the SDK reads back what the C store wrote (an interop check
// on top of the counts).
//
//   node cosmos_jobs.js seed   --endpoint URL --key KEY --database DB
//        [--ca CERT.pem] --jobs N --tenants T --dataset-sales PATH
//        [--mix forecast,segment,churn,clv,suite]
//   node cosmos_jobs.js verify --endpoint URL --key KEY --database DB
//        [--ca CERT.pem] --jobs N
//
// verify prints one JSON line {"jobs":N,"succeeded":..,"failed":..,
// "other":..,"attemptsMax":..,"resultsMissing":..,"resultsOrphan":..}
// and exits 0 when every job succeeded with all its result chunks.
"use strict";

const fs = require("fs");
const https = require("https");
const path = require("path");
const { CosmosClient } = require(path.join(__dirname, "node_modules",
  "@azure", "cosmos"));

function parseArgs(argv) {
  const o = { _: [] };
  for (let i = 2; i < argv.length; i++) {
    if (argv[i].startsWith("--")) o[argv[i].slice(2)] = argv[++i];
    else o._.push(argv[i]);
  }
  return o;
}

const args = parseArgs(process.argv);
const agent = new https.Agent({ keepAlive: true,
  ca: args.ca ? fs.readFileSync(args.ca) : undefined });
const client = new CosmosClient({ endpoint: args.endpoint, key: args.key,
  agent, connectionPolicy: { enableEndpointDiscovery: false } });
const db = client.database(args.database || "horizon");

function jobDoc(i, n, tenants, mix) {
  const type = mix[i % mix.length];
  const customerId = `tenant-${String(i % tenants).padStart(3, "0")}`;
  const id = `j-${String(i).padStart(6, "0")}`;
  const sales = args["dataset-sales"];
  let params, dataset;
  if (type === "forecast") {
    dataset = sales;
    params = { dateColumn: "order_date", valueColumn: "revenue",
      freq: "month", horizon: 6, seed: i };
  } else {
    // analytics on the transactions (customer, date, amount)
    dataset = sales;
    params = { customerColumn: "customer_id", dateColumn: "order_date",
      amountColumn: "revenue" };
    // k and seed only where used (clv and churn without a label refuse
    // options they would ignore)
    if (type === "segment" || type === "suite") {
      params.k = 4;
      params.seed = i;
    }
  }
  return { id, type, customerId, dataset, params, status: "queued",
    attempts: 0, createdAt: 1.7e9 + i / 1000 };
}

async function pool(items, width, fn) {
  let next = 0;
  const workers = Array.from({ length: width }, async () => {
    while (next < items.length) {
      const k = next++;
      await fn(items[k], k);
    }
  });
  await Promise.all(workers);
}

async function seed() {
  const n = Number(args.jobs || 1000);
  const tenants = Number(args.tenants || 10);
  const mix = (args.mix || "forecast,segment,churn,clv,suite").split(",");
  const jobs = db.container("jobs");
  const docs = Array.from({ length: n }, (_, i) => jobDoc(i, n, tenants,
    mix));
  // one transactional batch per tenant and 100 jobs
  const groups = new Map();
  for (const d of docs) {
    if (!groups.has(d.customerId)) groups.set(d.customerId, []);
    groups.get(d.customerId).push(d);
  }
  const batches = [];
  for (const [pk, list] of groups)
    for (let i = 0; i < list.length; i += 100)
      batches.push([pk, list.slice(i, i + 100)]);
  await pool(batches, 4, async ([pk, list]) => {
    const r = await jobs.items.batch(list.map((d) => ({
      operationType: "Upsert", partitionKey: pk, resourceBody: d })), pk);
    const bad = (r.result || []).find((x) => x.statusCode >= 400);
    if (r.code >= 400 || bad)
      throw new Error(`batch for ${pk}: ${r.code} ${bad && bad.statusCode}`);
  });
  console.log(JSON.stringify({ seeded: n, tenants, mix }));
}

async function queryAll(container, query, parameters) {
  const it = container.items.query({ query, parameters },
    { maxItemCount: 1000 });
  const out = [];
  while (it.hasMoreResults()) {
    const { resources } = await it.fetchNext();
    if (resources) out.push(...resources);
  }
  return out;
}

async function verify() {
  const n = Number(args.jobs || 1000);
  const jobs = await queryAll(db.container("jobs"), "SELECT * FROM c", []);
  const results = await queryAll(db.container("results"),
    "SELECT c.id, c.jobId, c.customerId FROM c WHERE NOT IS_DEFINED(c.artifactOf)",
    []);
  const byJob = new Map();
  for (const r of results) {
    const k = `${r.customerId}/${r.jobId}`;
    byJob.set(k, (byJob.get(k) || 0) + 1);
  }
  const v = { jobs: jobs.length, succeeded: 0, failed: 0, other: 0,
    attemptsMax: 0, resultsMissing: 0, resultsOrphan: 0, results:
    results.length, failures: {} };
  const known = new Set();
  for (const j of jobs) {
    known.add(`${j.customerId}/${j.id}`);
    if (j.status === "succeeded") v.succeeded++;
    else if (j.status === "failed") {
      v.failed++;
      const why = j.errorReason || "?";
      v.failures[why] = (v.failures[why] || 0) + 1;
      if (!v.firstError) v.firstError = `${j.id}: ${j.error}`;
    } else v.other++;
    v.attemptsMax = Math.max(v.attemptsMax, j.attempts || 0);
    const want = j.resultChunks || 0;
    const have = byJob.get(`${j.customerId}/${j.id}`) || 0;
    if (j.status === "succeeded" && have !== want) v.resultsMissing++;
  }
  for (const k of byJob.keys()) if (!known.has(k)) v.resultsOrphan++;
  console.log(JSON.stringify(v));
  const ok = v.jobs === n && v.succeeded === n && v.resultsMissing === 0 &&
    v.resultsOrphan === 0;
  process.exit(ok ? 0 : 1);
}

const cmd = args._[0];
(cmd === "seed" ? seed() : cmd === "verify" ? verify()
  : Promise.reject(new Error("usage: cosmos_jobs.js seed|verify ...")))
  .catch((e) => {
    console.error(`cosmos_jobs: ${e.message || e}`);
    process.exit(2);
  });
