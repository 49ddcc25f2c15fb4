import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { Figure } from '../src/claims/figure.ts';
import type { ClaimResult } from '../src/claims/verdict.ts';
import { consoleReport } from '../src/report/consoleTable.ts';
import { htmlReport } from '../src/report/htmlReport.ts';
import { jsonReport } from '../src/report/jsonReport.ts';
import { junitReport } from '../src/report/junitReport.ts';
import { markdownReport } from '../src/report/markdownReport.ts';
import { buildReport, mergeReports, validateReport, type VerifyReport } from '../src/report/reportModel.ts';
import { renderFigureSvg } from '../src/report/svgChart.ts';
import { xmlEscape } from '../src/report/xmlEscape.ts';

/** Text with the characters that break XML, Markdown tables and HTML. */
const nastyText = fc.string({ unit: fc.constantFrom('a', 'Σ', '<', '>', '&', '"', "'", '|', '\n', '\u0001', ' ', '⁻¹', ']]>') , maxLength: 30 });
const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });

const claimResult: fc.Arbitrary<ClaimResult> = fc
  .record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
    source: fc.constantFrom('xu2025', 'liyan2024', 'liang2025') as fc.Arbitrary<ClaimResult['source']>,
    expected: fc.constantFrom('holds', 'refuted') as fc.Arbitrary<ClaimResult['expected']>,
    verdict: fc.constantFrom('holds', 'refuted-as-expected', 'counterexample', 'error') as fc.Arbitrary<ClaimResult['verdict']>,
    statement: nastyText,
    reason: fc.option(nastyText, { nil: undefined }),
    cases: fc.nat(1000),
    maxError: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: undefined }),
    z: fc.option(finite, { nil: undefined }),
    cx: fc.option(fc.record({ seed: fc.integer(), path: fc.stringMatching(/^\d{1,3}(:\d{1,2}){0,5}$/), q: finite, note: nastyText, m: fc.array(fc.array(finite, { minLength: 2, maxLength: 2 }), { minLength: 2, maxLength: 2 }) }), { nil: undefined }),
    ms: fc.nat(10_000),
  })
  .map((r, ) => ({
    id: `${r.source}.fixture.${r.name}`,
    source: r.source,
    statement: r.statement,
    expected: r.expected,
    verdict: r.verdict,
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    cases: r.cases,
    evidence: { runs: r.cases, shrinks: 0, ...(r.maxError !== undefined ? { maxError: r.maxError, tolerance: 1e-9 } : {}), ...(r.z !== undefined ? { z: r.z, zCritical: 5.3 } : {}) },
    ...(r.cx ? { counterexample: { seed: r.cx.seed, path: r.cx.path, kind: 'fails' as const, case: { m: r.cx.m, label: r.cx.note }, quantities: { 'observed <x>': r.cx.q, predicted: 0 } } } : {}),
    seed: 1,
    numRuns: 100,
    ms: r.ms,
  }));

const results = fc.uniqueArray(claimResult, { selector: (c) => c.id, maxLength: 8 });
const report = (rs: ClaimResult[]) => buildReport(rs, { seed: 1, date: new Date(0) });

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
    const failures = rs.filter((r) => r.verdict === 'counterexample').length;
    expect(xml).toContain(`<testsuites name="scorecheck" tests="${rs.length}" failures="${failures}" errors="${errors}"`);
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
    expect(back.ok).toBe(rs.every((c) => c.verdict === 'holds' || c.verdict === 'refuted-as-expected'));
  });

  test.prop([results, fc.integer({ min: 1, max: 4 })])('merging shards gives the whole run (registry order)', (rs, n) => {
    const whole = report(rs);
    const shards = Array.from({ length: n }, (_, i) => ({
      file: `s${i}.json`,
      report: validateReport(JSON.parse(jsonReport(buildReport(rs.filter((_, j) => j % n === i), { seed: 1, shard: { index: i + 1, count: n }, date: new Date(i) }))), `s${i}.json`),
    }));
    const merged = mergeReports(shards, rs.map((c) => c.id));
    expect(merged.claims.map((c) => c.id)).toEqual(whole.claims.map((c) => c.id));
    expect(merged.summary).toEqual(whole.summary);
    expect(merged.ok).toBe(whole.ok);
  });

  test.prop([results.filter((rs) => rs.length > 0), fc.constantFrom('version', 'verdict', 'source', 'evidence', 'seed')])(
    'negative control: validateReport rejects a report with a broken field, naming it',
    (rs, field) => {
      const j = JSON.parse(jsonReport(report(rs))) as Record<string, unknown> & { claims: Record<string, unknown>[] };
      if (field === 'version') j.version = 2;
      else if (field === 'seed') j.seed = 'x';
      else if (field === 'verdict') j.claims[0].verdict = 'maybe';
      else if (field === 'source') j.claims[0].source = 'nature2099';
      else delete j.claims[0].evidence;
      expect(() => validateReport(j, 'r.json')).toThrow(new RegExp(`r\\.json: .*${field}`));
    },
  );

  test.prop([results])('Markdown: one table row per claim; HTML: self-contained (no scripts, no external assets)', (rs) => {
    const r = report(rs);
    const md = markdownReport(r);
    expect(md.split('\n').filter((l) => /^\| (✅|❌|💥) \|/.test(l))).toHaveLength(rs.length);
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

export type { VerifyReport };
