import { CLAIM_SOURCES } from '../claims/claim.ts';
import { verdictText } from '../claims/verdict.ts';
import { formatCounterexample } from './formatCounterexample.ts';
import { formatEvidence } from './formatEvidence.ts';
import type { ClaimReport, VerifyReport } from './reportModel.ts';
import { xmlEscape } from './xmlEscape.ts';

const secs = (ms: number) => (ms / 1000).toFixed(3);

/**
 * JUnit XML as common CI readers expect it (testsuites › testsuite per source ›
 * testcase per claim): an unexpected counterexample is a <failure>, a check that
 * threw is an <error>; evidence goes to <system-out>.
 */
export function junitReport(r: VerifyReport): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = r.claims.filter((c) => !c.ok && c.verdict !== 'error').length;
  const errors = r.claims.filter((c) => c.verdict === 'error').length;
  out.push(`<testsuites name="scorecheck" tests="${r.claims.length}" failures="${failures}" errors="${errors}" time="${secs(r.summary.ms)}">`);
  for (const source of CLAIM_SOURCES) {
    const cs = r.claims.filter((c) => c.source === source);
    if (cs.length === 0) continue;
    const f = cs.filter((c) => !c.ok && c.verdict !== 'error').length;
    const e = cs.filter((c) => c.verdict === 'error').length;
    const ms = cs.reduce((s, c) => s + c.ms, 0);
    out.push(`  <testsuite name="${source}" tests="${cs.length}" failures="${f}" errors="${e}" skipped="0" time="${secs(ms)}" timestamp="${xmlEscape(r.date.replace(/\.\d+Z$/, ''))}">`);
    out.push('    <properties>');
    out.push(`      <property name="seed" value="${r.seed}"/>`);
    out.push(`      <property name="scorecheckVersion" value="${xmlEscape(r.scorecheckVersion)}"/>`);
    out.push('    </properties>');
    for (const c of cs) out.push(...testcase(c));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function testcase(c: ClaimReport): string[] {
  const lines = [`    <testcase classname="scorecheck.${c.source}" name="${xmlEscape(c.id)}" time="${secs(c.ms)}">`];
  if (!c.ok) {
    const tag = c.verdict === 'error' ? 'error' : 'failure';
    const message = `${verdictText(c)}${c.reason ? `: ${c.reason}` : ''}`;
    const body = c.counterexample ? formatCounterexample(c) : message;
    lines.push(`      <${tag} message="${xmlEscape(message)}" type="${c.verdict === 'error' ? 'error' : 'COUNTEREXAMPLE'}">${xmlEscape(body)}</${tag}>`);
  }
  lines.push(`      <system-out>${xmlEscape(`${verdictText(c)} · ${formatEvidence(c)}\n${c.statement}`)}</system-out>`);
  lines.push('    </testcase>');
  return lines;
}
