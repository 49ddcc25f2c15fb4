import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { Figure } from '../src/engine/figure.ts';
import { consoleReport } from '../src/report/consoleTable.ts';
import { htmlReport } from '../src/report/htmlReport.ts';
import { jsonReport } from '../src/report/jsonReport.ts';
import { junitReport } from '../src/report/junitReport.ts';
import { markdownReport } from '../src/report/markdownReport.ts';
import { type Report, type ResultRow, buildReport, mergeReports, resultRow, validateReport } from '../src/report/reportModel.ts';
import type { PropertyRun } from '../src/engine/runProperty.ts';
import { shardOf } from '../src/engine/selectProperties.ts';
import { renderFigureSvg } from '../src/report/svgChart.ts';
import { xmlEscape } from '../src/report/xmlEscape.ts';

/** Text with the characters that break XML, Markdown tables and HTML. */
const nastyText = fc.string({ unit: fc.constantFrom('a', 'Σ', '<', '>', '&', '"', "'", '|', '\n', '\u0001', ' ', '⁻¹', ']]>') , maxLength: 30 });
const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });

const resultRowArb: fc.Arbitrary<ResultRow> = fc
  .record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
    kind: fc.constantFrom('claim', 'check') as fc.Arbitrary<'claim' | 'check'>,
    group: fc.constantFrom('xu2025', 'liyan2024', 'liang2025', 'step'),
    expected: fc.constantFrom('holds', 'refuted') as fc.Arbitrary<PropertyRun['expected']>,
    finding: fc.constantFrom('holds', 'fails', 'error', 'inconclusive') as fc.Arbitrary<PropertyRun['finding']>,
    statement: nastyText,
    reason: fc.option(nastyText, { nil: undefined }),
    cases: fc.nat(1000),
    maxError: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: undefined }),
    z: fc.option(finite, { nil: undefined }),
    detectable: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: undefined }),
    cx: fc.option(fc.record({ choices: fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 6 }), q: finite, note: nastyText, m: fc.array(fc.array(finite, { minLength: 2, maxLength: 2 }), { minLength: 2, maxLength: 2 }) }), { nil: undefined }),
    ms: fc.nat(10_000),
  })
  .map((r) => {
    const run: PropertyRun = {
      id: `${r.group}.fixture.${r.name}`,
      statement: r.statement,
      expected: r.expected,
      finding: r.finding,
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
      cases: r.cases,
      evidence: {
        runs: r.cases, shrinks: 0, phases: { replayed: 0, corner: 0, random: r.cases, target: 0, shrink: 0 },
        ...(r.maxError !== undefined ? { maxError: r.maxError, tolerance: 1e-9 } : {}),
        ...(r.z !== undefined ? { z: r.z, zCritical: 5.3 } : {}),
        ...(r.detectable !== undefined ? { detectable: { absolute: r.detectable, relative: r.detectable, power: 0.99, target: 0.1, met: r.detectable <= 0.1 } } : {}),
      },
      ...(r.cx ? { counterexample: { kind: 'fails' as const, choices: r.cx.choices, case: { m: r.cx.m, label: r.cx.note }, outcome: { holds: false, maxError: 1, tolerance: 1e-9, quantities: { 'observed <x>': r.cx.q, predicted: 0 } }, foundIn: 'random' as const } } : {}),
      seed: 1,
      runs: 100,
      ms: r.ms,
      storeNotes: [],
    };
    return resultRow(run, r.kind, r.group, r.cx ? 'npx scorecheck verify --claim x --replay choices:W10' : undefined);
  });

const results = fc.uniqueArray(resultRowArb, { selector: (c) => c.id, maxLength: 8 });
const meta = (rs: readonly ResultRow[], extra: Partial<Parameters<typeof buildReport>[1]> = {}) => ({
  command: 'verify' as const, seed: 1, date: new Date(0),
  selection: { ids: rs.map((c) => c.id) },
  falseAlarm: { total: 1e-6, perAssertion: 1e-8, planned: 100, made: 3 },
  ...extra,
});
const report = (rs: ResultRow[]) => buildReport(rs, meta(rs));

/** A minimal XML well-formedness check: balanced tags, no raw '<' or '&' in text, no forbidden control characters. */
function wellFormedXml(xml: string): boolean {
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(xml)) return false;
  const body = xml.replace(/^<\?xml[^>]*\?>/, '');
  const stack: string[] = [];
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(body)) !== null) {
    pos = re.lastIndex;
    if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(m[5]) || m[5].includes('>') && false) return false;
      continue;
    }
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) return false;
    } else if (m[4] !== '/') stack.push(m[2]);
  }
  return pos === body.length && stack.length === 0;
}

describe('report writers', () => {
  test.prop([nastyText])('xmlEscape leaves no markup characters and round-trips (less forbidden controls)', (s) => {
    const e = xmlEscape(s);
    expect(e).not.toMatch(/[<>"']/);
    expect(e).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
    const back = e.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
    expect(back).toBe(s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, ''));
  });

  test.prop([results])('JUnit XML is well formed and its counts match the verdicts', (rs) => {
    const xml = junitReport(report(rs));
    expect(wellFormedXml(xml)).toBe(true);
    expect((xml.match(/<testcase /g) ?? []).length).toBe(rs.length);
    const errors = rs.filter((r) => r.verdict === 'error').length;
    const failures = rs.filter((r) => r.verdict === 'counterexample' || r.verdict === 'inconclusive').length;
    expect(xml).toContain(`<testsuites name="scorecheck verify" tests="${rs.length}" failures="${failures}" errors="${errors}"`);
    expect((xml.match(/<failure /g) ?? []).length).toBe(failures);
    expect((xml.match(/<error /g) ?? []).length).toBe(errors);
  });

  test('negative control: the well-formedness check rejects unescaped text', () => {
    expect(wellFormedXml('<a><b>x < y</b></a>')).toBe(false);
    expect(wellFormedXml('<a x="1 & 2"/>')).toBe(false);
    expect(wellFormedXml('<a><b></a></b>')).toBe(false);
    expect(wellFormedXml('<a><b x="1 &amp; 2">ok &lt;</b></a>')).toBe(true);
  });

  test.prop([results])('JSON report round-trips through validateReport', (rs) => {
    const r = report(rs);
    const back = validateReport(JSON.parse(jsonReport(r)), 'r.json');
    expect(back).toEqual(JSON.parse(jsonReport(r)));
    expect(back.ok).toBe(rs.every((c) => c.verdict === 'holds' || c.verdict === 'refuted-as-expected' || c.verdict === 'skipped'));
  });

  const shardsOf = (rs: ResultRow[], n: number) =>
    Array.from({ length: n }, (_, i) => ({
      file: `s${i}.json`,
      report: validateReport(JSON.parse(jsonReport(buildReport(shardOf(rs, { index: i + 1, count: n }), meta(rs, { selection: { ids: rs.map((c) => c.id), shard: { index: i + 1, count: n } }, date: new Date(i) })))), `s${i}.json`),
    }));

  test.prop([results, fc.integer({ min: 1, max: 4 })])('merging every shard gives the whole run (selection order)', (rs, n) => {
    const whole = report(rs);
    const merged = mergeReports(shardsOf(rs, n), rs.map((c) => c.id));
    expect(merged.results.map((c) => c.id)).toEqual(whole.results.map((c) => c.id));
    expect(merged.summary).toEqual(whole.summary);
    expect(merged.ok).toBe(whole.ok);
  });

  test.prop([results.filter((rs) => rs.length >= 2), fc.integer({ min: 2, max: 4 })])('merge fails closed: a missing shard, a repeated shard, an unknown id', (rs, n) => {
    const shards = shardsOf(rs, n);
    expect(() => mergeReports(shards.slice(1), rs.map((c) => c.id))).toThrow(/incomplete: missing shard 1\//);
    expect(() => mergeReports([...shards, shards[0]], rs.map((c) => c.id))).toThrow(/given twice/);
    expect(() => mergeReports(shards, rs.slice(1).map((c) => c.id))).toThrow(/unknown id/);
  });

  test.prop([results])('Markdown: one table row per claim; HTML: self-contained (no scripts, no external assets)', (rs) => {
    const r = report(rs);
    const md = markdownReport(r);
    expect(md.split('\n').filter((l) => /^\| (✅|❌|💥|❔|⏭) \|/.test(l))).toHaveLength(rs.length);
    const html = htmlReport(r);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(consoleReport(r).split('\n').length).toBeGreaterThanOrEqual(rs.length + 3);
  });

  const figure: fc.Arbitrary<Figure> = fc.record({
    id: fc.constant('f'),
    title: nastyText,
    xLabel: nastyText,
    yLabel: nastyText,
    logX: fc.boolean(),
    logY: fc.boolean(),
    series: fc.array(
      fc.record({ name: nastyText, points: fc.array(fc.tuple(fc.double(), fc.double()), { maxLength: 20 }), style: fc.constantFrom('line', 'points') as fc.Arbitrary<'line' | 'points'> }),
      { minLength: 1, maxLength: 4 },
    ),
    markers: fc.array(fc.record({ x: fc.double(), label: nastyText }), { maxLength: 2 }),
  });

  test.prop([figure])('an SVG chart is well-formed for any figure (non-finite and log-invalid points left out, never NaN)', (f) => {
    const svg = renderFigureSvg(f);
    expect(wellFormedXml(svg)).toBe(true);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  test('an SVG chart draws one path per line series and a circle per point series', () => {
    const svg = renderFigureSvg({
      id: 'x', title: 't', xLabel: 'x', yLabel: 'y', logY: true,
      series: [{ name: 'a', points: [[1, 1], [2, 10], [3, 100]] }, { name: 'b', style: 'points', points: [[1, 2], [2, 3]] }],
      markers: [{ x: 2, label: 'min' }],
    });
    expect((svg.match(/<path /g) ?? []).length).toBe(1);
    expect((svg.match(/<circle /g) ?? []).length).toBe(2 + 1); // two points + the legend mark of the points series
    expect(svg).toContain('stroke-dasharray');
  });
});

export type { Report };
