// compare.mjs trains NLP.js (node-nlp, Portuguese) on assistant/testdata/corpus.tsv
// and measures it on the test sets: intent accuracy, competence accuracy (from
// NLP.js's builtin date extraction, Microsoft Recognizers pt-br) and latency
// per message (median and p99 after a warm-up pass).
//
// Two configurations are measured, each trained afresh:
//   dates   forceNER: true, the builtin entity extraction runs on every
//           message; this is what gives a competence, and the main figures.
//   intent  the defaults: builtins only run when the training data uses
//           entities (ours does not), so intent only, and much faster.
//
//   node compare.mjs            human-readable table
//   node compare.mjs --json     one JSON object (used by run.sh)
//   node compare.mjs --mistakes also list every line NLP.js got wrong
//
// The reference date is pinned to 2026-11-25 12:00 in São Paulo, as the Go
// side's --now 2026-11-25, so relative dates resolve the same way.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const testdata = path.resolve(here, '../../assistant/testdata');
const args = new Set(process.argv.slice(2));
const SETS = ['holdout', 'blind', 'blind2'];

// Pin "now" before NLP.js loads: Microsoft Recognizers take new Date() as
// the reference for relative dates. Dates built from arguments are untouched.
const NOW = Date.UTC(2026, 10, 25, 15, 0, 0); // 12:00 in America/Sao_Paulo (UTC-3)
const RealDate = Date;
class FixedDate extends RealDate {
  constructor(...a) {
    if (a.length === 0) super(NOW);
    else super(...a);
  }
  static now() {
    return NOW;
  }
}
globalThis.Date = FixedDate;
const NOW_YEAR = 2026;
const NOW_MONTH = 11;

const require = createRequire(import.meta.url);
const { NlpManager } = require('node-nlp');

// Competence granularity per intent, as in assistant/assistant.go (Period):
// the same shaping is applied to NLP.js's dates so that only the date
// extraction is compared, not the domain rule.
const YEARLY = new Set(['informe_rendimentos', 'decimo_terceiro', 'dre', 'balanco']);
const NONE = new Set(['rescisao', 'relacao_empregados', 'certidao_negativa', 'boleto_honorarios']);
const DIALOG = new Set(['atendente', 'saudacao', 'agradecimento', 'menu', 'status_pedido', 'desconhecido']);

function readTSV(name) {
  const rows = [];
  for (const line of fs.readFileSync(path.join(testdata, name), 'utf8').split('\n')) {
    const t = line.replace(/\r$/, '');
    if (t.trim() === '' || t.trim().startsWith('#')) continue;
    const f = t.split('\t');
    if (f.length !== 3) throw new Error(`${name}: malformed line ${JSON.stringify(t)}`);
    rows.push({ text: f[0], intent: f[1].trim(), competence: f[2].trim() === '-' ? '' : f[2].trim() });
  }
  return rows;
}

// dateOf reads year and month (0 when not said) from the first date entity.
function dateOf(entities) {
  for (const e of entities || []) {
    if (!['date', 'daterange', 'datetime', 'datetimerange', 'datetimeV2.date', 'datetimeV2.daterange'].includes(e.entity)) continue;
    const r = e.resolution || {};
    const timex = r.timex || '';
    let m = /^(\d{4}|XXXX)(?:-(\d{2}))?/.exec(timex);
    if (m) {
      let month = m[2] ? Number(m[2]) : 0;
      let year = m[1] === 'XXXX' ? 0 : Number(m[1]);
      if (year === 0 && month > 0) year = month > NOW_MONTH ? NOW_YEAR - 1 : NOW_YEAR; // most recent, not future
      if (year > 0) return { year, month };
    }
    const d = r.start || r.date || r.value;
    if (d) {
      const dt = new RealDate(d);
      if (!Number.isNaN(dt.getTime())) return { year: dt.getUTCFullYear(), month: dt.getUTCMonth() + 1 };
    }
  }
  return { year: 0, month: 0 };
}

function competence(intent, { year, month }) {
  if (!year || NONE.has(intent)) return '';
  if (YEARLY.has(intent)) return String(year);
  if (!month) return DIALOG.has(intent) ? String(year) : '';
  return `${year}-${String(month).padStart(2, '0')}`;
}

function quantile(sorted, q) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

async function measure(corpus, sets, forceNER) {
  const manager = new NlpManager({ languages: ['pt'], forceNER, autoSave: false, autoLoad: false, nlu: { log: false } });
  for (const r of corpus) manager.addDocument('pt', r.text, r.intent);
  const t0 = performance.now();
  await manager.train();
  const trainMs = performance.now() - t0;

  const all = SETS.flatMap((n) => sets[n]);

  // Warm-up: every test utterance once (JIT, caches).
  for (const r of all) await manager.process('pt', r.text);

  const out = { forceNER, trainMs: Math.round(trainMs), sets: {} };
  const allLat = [];
  const mistakes = [];
  for (const name of SETS) {
    const rows = sets[name];
    let intentOK = 0;
    let compOK = 0;
    const lat = [];
    for (const r of rows) {
      const s = performance.now();
      const res = await manager.process('pt', r.text);
      lat.push((performance.now() - s) * 1000); // µs
      const intent = !res.intent || res.intent === 'None' ? 'desconhecido' : res.intent;
      const comp = competence(intent, dateOf(res.entities));
      if (intent === r.intent) intentOK++;
      if (comp === r.competence) compOK++;
      if (intent !== r.intent || comp !== r.competence) {
        mistakes.push(`${forceNER ? 'dates' : 'intent'} ${name}: ${JSON.stringify(r.text)}: intent ${intent} (want ${r.intent}), competence ${JSON.stringify(comp)} (want ${JSON.stringify(r.competence)})`);
      }
    }
    allLat.push(...lat);
    lat.sort((a, b) => a - b);
    out.sets[name] = { total: rows.length, intentOK, compOK,
      intentPct: (100 * intentOK) / rows.length, compPct: (100 * compOK) / rows.length,
      p50us: quantile(lat, 0.5), p99us: quantile(lat, 0.99) };
  }
  allLat.sort((a, b) => a - b);
  out.all = { p50us: quantile(allLat, 0.5), p99us: quantile(allLat, 0.99), n: allLat.length };
  out.mistakes = mistakes;
  return out;
}

async function main() {
  const corpus = readTSV('corpus.tsv');
  const sets = {};
  for (const name of SETS) sets[name] = readTSV(`${name}.tsv`);
  const out = { tool: 'node-nlp', version: require('node-nlp/package.json').version, node: process.version,
    corpus: corpus.length };
  out.dates = await measure(corpus, sets, true);
  out.intent = await measure(corpus, sets, false);
  const mistakes = [...out.dates.mistakes, ...out.intent.mistakes];
  delete out.dates.mistakes;
  delete out.intent.mistakes;

  if (args.has('--json')) {
    console.log(JSON.stringify(out));
  } else {
    console.log(`NLP.js ${out.version} on node ${out.node}, trained on ${out.corpus} lines`);
    for (const conf of ['dates', 'intent']) {
      const o = out[conf];
      console.log(`\n${conf === 'dates' ? 'intent + builtin dates (forceNER)' : 'intent only (defaults)'}, trained in ${o.trainMs} ms`);
      console.log('set      intent            competence        p50 µs   p99 µs');
      for (const name of SETS) {
        const s = o.sets[name];
        console.log(`${name.padEnd(8)} ${`${s.intentOK}/${s.total} (${s.intentPct.toFixed(1)}%)`.padEnd(17)} ` +
          `${`${s.compOK}/${s.total} (${s.compPct.toFixed(1)}%)`.padEnd(17)} ${s.p50us.toFixed(0).padStart(6)} ${s.p99us.toFixed(0).padStart(8)}`);
      }
      console.log(`all ${o.all.n} messages: p50 ${o.all.p50us.toFixed(0)} µs, p99 ${o.all.p99us.toFixed(0)} µs`);
    }
  }
  if (args.has('--mistakes')) for (const m of mistakes) console.error(m);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
