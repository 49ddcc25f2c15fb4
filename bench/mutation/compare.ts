/**
 * Before/after table of a sampled mutation run, for bench/mutation-triage.md:
 *   npx tsx bench/mutation/compare.ts <before report.json> <after report.json> <sample.json>
 * For every sampled mutant that was not detected before: its location, mutator and replacement,
 * the source line, the status before and after, and the test that killed it after (Stryker's
 * killedBy, resolved to "file > test name").
 */
import { readFileSync } from 'node:fs';

interface Loc { start: { line: number; column: number }; end: { line: number; column: number } }
interface Mutant { mutatorName: string; replacement?: string; location: Loc; status: string; killedBy?: string[] }
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
  testFiles?: Record<string, { tests: { id: string; name: string }[] }>;
}
interface Sampled { file: string; mutatorName: string; replacement: string; location: Loc }

const [beforePath, afterPath, samplePath] = process.argv.slice(2);
if (!samplePath) {
  console.error('usage: npx tsx bench/mutation/compare.ts <before.json> <after.json> <sample.json>');
  process.exit(2);
}
const read = <T>(p: string) => JSON.parse(readFileSync(p, 'utf8')) as T;
const before = read<Report>(beforePath), after = read<Report>(afterPath);
const sample = read<{ mutants: Sampled[] }>(samplePath).mutants;

// Sample locations are the instrumenter's (0-based lines and columns); reports are 1-based.
const key = (file: string, m: { mutatorName: string; replacement?: string; location: Loc }) =>
  `${file}|${m.location.start.line}:${m.location.start.column}|${m.mutatorName}|${m.replacement ?? ''}`;
const sampleKey = (s: Sampled) => key(s.file, { ...s, location: { start: { line: s.location.start.line + 1, column: s.location.start.column + 1 }, end: s.location.end } });

function index(r: Report): Map<string, { m: Mutant; line: string }> {
  const out = new Map<string, { m: Mutant; line: string }>();
  for (const [file, f] of Object.entries(r.files)) {
    const lines = f.source.split('\n');
    for (const m of f.mutants) out.set(key(file, m), { m, line: (lines[m.location.start.line - 1] ?? '').trim() });
  }
  return out;
}
function testNames(r: Report): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, f] of Object.entries(r.testFiles ?? {})) for (const t of f.tests) out.set(t.id, `${file.replace(/^.*?(src|properties)\//, '$1/')} > ${t.name}`);
  return out;
}

const b = index(before), a = index(after), names = testNames(after);
const detected = (s?: string) => s === 'Killed' || s === 'Timeout';
const rows: string[] = [];
for (const s of sample) {
  const k = sampleKey(s);
  const was = b.get(k), now = a.get(k);
  if (!was || detected(was.m.status)) continue;
  const by = (now?.m.killedBy ?? []).map((id) => names.get(id) ?? id).join('; ');
  const repl = (s.replacement ?? '').replace(/\s+/g, ' ').slice(0, 60).replace(/\|/g, '\\|');
  const line = was.line.slice(0, 90).replace(/\|/g, '\\|');
  rows.push(`| ${s.file}:${s.location.start.line + 1} | ${s.mutatorName} → \`${repl}\` | \`${line}\` | ${was.m.status} | ${now?.m.status ?? '?'} | ${by || '—'} |`);
}
console.log('| where | mutant | source line | before | after | killed by (after) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
