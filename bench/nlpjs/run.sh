#!/usr/bin/env bash
# run.sh: the assistant parser beside NLP.js on the same test sets, one table.
#
#   bench/nlpjs/run.sh            (from anywhere; needs go, node >= 18, npm)
#   COUNT=5 bench/nlpjs/run.sh    more Go benchmark runs (median of runs)
#
# Ours: `balcao assistant eval --now 2026-11-25` per set, and
# BenchmarkParseSets (assistant/sets_bench_test.go) for the time per message.
# NLP.js: compare.mjs (trained on assistant/testdata/corpus.tsv).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -d "$here/node_modules/node-nlp" ]; then
	(cd "$here" && npm ci --no-audit --no-fund >&2)
fi

for s in holdout blind blind2; do
	go run ./cmd/balcao assistant eval --now 2026-11-25 "assistant/testdata/$s.tsv" | tail -n 1 >"$tmp/eval-$s.txt"
done
go test -run '^$' -bench 'ParseSets' -benchmem -count "${COUNT:-3}" ./assistant/ >"$tmp/bench.txt"
(cd "$here" && node compare.mjs --json 2>/dev/null) >"$tmp/nlpjs.json"

{
	echo "cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
	echo "nproc=$(nproc)"
	echo "date=$(date -u +%Y-%m-%d)"
	echo "go=$(go env GOVERSION)"
} >"$tmp/machine.txt"

node - "$tmp" <<'JS'
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const read = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
const sets = ['holdout', 'blind', 'blind2'];
const nl = JSON.parse(read('nlpjs.json'));
const machine = Object.fromEntries(read('machine.txt').trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const bench = {};
for (const line of read('bench.txt').split('\n')) {
  const m = /^BenchmarkParseSets\/set=(\w+)-\d+\s.*?([\d.]+) p50-ns\s+([\d.]+) p99-ns/.exec(line);
  if (!m) continue;
  (bench[m[1]] ||= { p50: [], p99: [] });
  bench[m[1]].p50.push(Number(m[2]) / 1000);
  bench[m[1]].p99.push(Number(m[3]) / 1000);
}
const ours = {};
for (const s of sets) {
  const m = /intent (\d+)\/(\d+) \(([\d.]+)%\), competence (\d+)\/(\d+) \(([\d.]+)%\)/.exec(read(`eval-${s}.txt`));
  ours[s] = { intent: m[3], comp: m[6], n: m[2] };
}
const us = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const row = (cells) => `| ${cells.join(' | ')} |`;
const out = [];
out.push(`Machine: ${machine.cpu}, ${machine.nproc} cores (nproc), ${machine.date}; ${machine.go}; node-nlp ${nl.version} on node ${nl.node}.`);
out.push('');
out.push(row(['set', 'lines', 'our intent %', 'NLP.js intent %', 'our competence %', 'NLP.js competence %', 'our median / p99 µs', 'NLP.js median / p99 µs']));
out.push(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
for (const s of sets) {
  const d = nl.dates.sets[s];
  const b = bench[s];
  out.push(row([s, ours[s].n, ours[s].intent, d.intentPct.toFixed(1), ours[s].comp, d.compPct.toFixed(1),
    `${us(median(b.p50))} / ${us(median(b.p99))}`, `${us(d.p50us)} / ${us(d.p99us)}`]));
}
out.push('');
out.push('NLP.js columns: intent + builtin dates (forceNER: true; Microsoft Recognizers pt-br). NLP.js intent only (defaults, no dates):');
out.push('');
out.push(row(['set', 'NLP.js intent %', 'NLP.js median / p99 µs']));
out.push(row(['---', '---:', '---:']));
for (const s of sets) {
  const d = nl.intent.sets[s];
  out.push(row([s, d.intentPct.toFixed(1), `${us(d.p50us)} / ${us(d.p99us)}`]));
}
console.log(out.join('\n'));
JS
