import { formatCounterexample } from './formatCounterexample.ts';
import { formatEvidence } from './formatEvidence.ts';
import { formatMs } from './formatNumber.ts';
import { summaryLine } from './consoleTable.ts';
import type { Report } from './reportModel.ts';
import { verdictText } from './verdictText.ts';

/** Escapes a table cell (pipes, newlines). */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * Markdown for a CI step summary ($GITHUB_STEP_SUMMARY and the like; `--markdown` appends):
 * headline, table, counterexamples in <details>.
 */
export function markdownReport(r: Report): string {
  const out: string[] = [];
  const title = r.subject ? `scorecheck check — ${r.subject.name ?? r.subject.spec}` : `scorecheck ${r.command}`;
  out.push(`## ${title}: ${r.ok ? '✅ every verdict as expected' : r.interrupted ? '⏹ interrupted' : '❌ unexpected verdicts'}`);
  out.push('');
  if (r.fatal) out.push(`**error:** ${cell(r.fatal)}`, '');
  out.push(cell(summaryLine(r)));
  out.push('');
  const noun = r.command === 'verify' ? 'claim' : 'check';
  out.push(`| | ${noun} | ${r.command === 'verify' ? 'source' : 'op'} | verdict | evidence | time |`);
  out.push('|---|---|---|---|---|---:|');
  for (const c of r.results) {
    const mark = c.verdict === 'skipped' ? '⏭' : c.ok ? '✅' : c.verdict === 'error' ? '💥' : c.verdict === 'inconclusive' ? '❔' : '❌';
    const evidence = c.verdict === 'skipped' ? (c.reason ?? '') : formatEvidence(c);
    out.push(`| ${mark} | \`${cell(c.id)}\` | ${cell(c.group)} | ${cell(c.ok ? verdictText(c) : `**${verdictText(c)}**`)} | ${cell(evidence)} | ${formatMs(c.ms)} |`);
  }
  const detail = r.results.filter((c) => c.counterexample || (!c.ok && c.verdict !== 'skipped'));
  if (detail.length > 0) {
    out.push('');
    for (const c of detail) {
      out.push(`<details${c.ok ? '' : ' open'}><summary><code>${c.id}</code>: ${verdictText(c)}</summary>`);
      out.push('');
      out.push('```text');
      out.push(c.counterexample ? formatCounterexample(c) : `${verdictText(c)}${c.reason ? ` — ${c.reason}` : ''}`);
      out.push('```');
      out.push('');
      out.push('</details>');
    }
  }
  return `${out.join('\n')}\n`;
}
