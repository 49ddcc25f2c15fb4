import { comparison, formatCounterexample } from './formatCounterexample.ts';
import { formatEvidence } from './formatEvidence.ts';
import type { Report, ResultRow } from './reportModel.ts';
import { verdictText } from './verdictText.ts';
import { xmlEscape } from './xmlEscape.ts';

const secs = (ms: number) => (ms / 1000).toFixed(3);

/**
 * JUnit XML as common CI readers expect it (testsuites › testsuite per source or op ›
 * testcase per claim or check): an unexpected verdict is a <failure>, an error an
 * <error>, a skipped check <skipped>; evidence (with the detectable discrepancy and the
 * false-alarm level as <properties>) goes to <system-out>.
 */
export function junitReport(r: Report): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const bad = (c: ResultRow) => !c.ok && c.verdict !== 'error';
  out.push(`<testsuites name="scorecheck ${r.command}" tests="${r.results.length}" failures="${r.results.filter(bad).length}" errors="${r.results.filter((c) => c.verdict === 'error').length + (r.fatal ? 1 : 0)}" time="${secs(r.summary.ms)}">`);
  const groups = [...new Set(r.results.map((c) => c.group))];
  for (const g of groups) {
    const cs = r.results.filter((c) => c.group === g);
    const ms = cs.reduce((s, c) => s + c.ms, 0);
    out.push(`  <testsuite name="${xmlEscape(g)}" tests="${cs.length}" failures="${cs.filter(bad).length}" errors="${cs.filter((c) => c.verdict === 'error').length}" skipped="${cs.filter((c) => c.verdict === 'skipped').length}" time="${secs(ms)}" timestamp="${xmlEscape(r.date.replace(/\.\d+Z$/, ''))}">`);
    out.push('    <properties>');
    out.push(`      <property name="seed" value="${r.seed}"/>`);
    out.push(`      <property name="scorecheckVersion" value="${xmlEscape(r.scorecheckVersion)}"/>`);
    out.push(`      <property name="falseAlarmPerAssertion" value="${r.falseAlarm.perAssertion}"/>`);
    out.push('    </properties>');
    for (const c of cs) out.push(...testcase(r, c));
    out.push('  </testsuite>');
  }
  if (r.fatal) out.push(`  <testsuite name="run" tests="1" failures="0" errors="1"><testcase name="start-up"><error message="${xmlEscape(r.fatal)}"/></testcase></testsuite>`);
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function testcase(r: Report, c: ResultRow): string[] {
  const lines = [`    <testcase classname="scorecheck.${xmlEscape(c.group)}" name="${xmlEscape(c.id)}" time="${secs(c.ms)}">`];
  const d = c.evidence.detectable;
  if (d || c.evidence.falseAlarm !== undefined) {
    lines.push('      <properties>');
    if (d) {
      lines.push(`        <property name="detectable.relative" value="${d.relative}"/>`);
      lines.push(`        <property name="detectable.power" value="${d.power}"/>`);
      lines.push(`        <property name="detectable.target" value="${d.target}"/>`);
    }
    if (c.evidence.assertions) lines.push(`        <property name="assertions" value="${c.evidence.assertions}"/>`);
    lines.push('      </properties>');
  }
  if (c.verdict === 'skipped') lines.push(`      <skipped message="${xmlEscape(c.reason ?? 'skipped')}"/>`);
  else if (!c.ok) {
    const tag = c.verdict === 'error' ? 'error' : 'failure';
    const message = `${verdictText(c)}${c.reason ? `: ${c.reason}` : c.counterexample?.outcome ? `: ${comparison(c.counterexample.outcome)}` : ''}`;
    const body = c.counterexample ? formatCounterexample(c) : message;
    lines.push(`      <${tag} message="${xmlEscape(message)}" type="${xmlEscape(c.verdict)}">${xmlEscape(body)}</${tag}>`);
  }
  lines.push(`      <system-out>${xmlEscape(`${verdictText(c)} · ${formatEvidence(c)}\n${c.statement}${r.command === 'check' ? '' : ''}`)}</system-out>`);
  lines.push('    </testcase>');
  return lines;
}
