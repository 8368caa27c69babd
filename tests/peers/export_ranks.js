#!/usr/bin/env node
// Write the standard .tiktoken rank file (one "base64-token rank" line per
// token, ascending rank) for an encoding shipped with the js-tiktoken npm
// package, so that Horizon's C tokenizer can load it at test time.
//
//   node tests/peers/export_ranks.js cl100k_base OUT_DIR
//
// js-tiktoken stores the ranks compressed in dist/ranks/NAME.js as
// {pat_str, special_tokens, bpe_ranks}; bpe_ranks is a text of lines
// "<marker> <first_rank> <tok> <tok> ..." where the i-th base64 token of a
// line has rank first_rank + i (this is how js-tiktoken's constructor
// decodes it).  The rank files are never committed: they are regenerated
// from the pinned package.  Also writes NAME.pat (the split pattern) and
// prints the SHA-256 of the .tiktoken file.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

async function main() {
  const [name, outDir] = process.argv.slice(2);
  if (!name || !outDir) {
    console.error('usage: export_ranks.js ENCODING OUT_DIR');
    process.exit(2);
  }
  const mod = require(path.join(__dirname, 'node_modules', 'js-tiktoken',
                                'dist', 'ranks', name + '.cjs'));
  const ranks = mod.default || mod;
  const pairs = [];
  for (const line of ranks.bpe_ranks.split('\n')) {
    if (!line) continue;
    const [, offsetStr, ...tokens] = line.split(' ');
    const offset = Number.parseInt(offsetStr, 10);
    tokens.forEach((tok, i) => pairs.push([offset + i, tok]));
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const text = pairs.map(([r, t]) => `${t} ${r}\n`).join('');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, name + '.tiktoken');
  // write then rename: concurrent tests may export into the same dir
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
  const pat = path.join(outDir, name + '.pat');
  fs.writeFileSync(`${pat}.tmp-${process.pid}`, ranks.pat_str);
  fs.renameSync(`${pat}.tmp-${process.pid}`, pat);
  const sha = crypto.createHash('sha256').update(text).digest('hex');
  console.log(`${file} ${pairs.length} ranks sha256 ${sha}`);
}
main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
