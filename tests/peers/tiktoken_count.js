#!/usr/bin/env node
// Reference token counts from the js-tiktoken npm package (the peer the C
// tokenizer is checked against).
//
//   node tests/peers/tiktoken_count.js ENCODING FILE.json
//
// FILE.json holds a JSON array of strings; prints one line per string:
// "<count> <comma-separated token ids>".  Special-token text is encoded as
// ordinary text (as Horizon's prompts never contain special tokens).
'use strict';
const fs = require('fs');
const path = require('path');

const [name, file] = process.argv.slice(2);
if (!name || !file) {
  console.error('usage: tiktoken_count.js ENCODING FILE.json');
  process.exit(2);
}
const base = path.join(__dirname, 'node_modules', 'js-tiktoken', 'dist');
const { Tiktoken } = require(path.join(base, 'lite.cjs'));
const ranksMod = require(path.join(base, 'ranks', name + '.cjs'));
const enc = new Tiktoken(ranksMod.default || ranksMod);
const texts = JSON.parse(fs.readFileSync(file, 'utf8'));
const out = [];
for (const t of texts) {
  const ids = enc.encode(t, [], []);
  out.push(`${ids.length} ${ids.join(',')}`);
}
process.stdout.write(out.join('\n') + '\n');
