import { verdictText } from '../claims/verdict.ts';
import { formatCounterexample } from './formatCounterexample.ts';
import { formatEvidence } from './formatEvidence.ts';
import { formatMs } from './formatNumber.ts';
import type { VerifyReport } from './reportModel.ts';

/** Escapes a table cell (pipes, newlines). */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Markdown for a CI step summary ($GITHUB_STEP_SUMMARY and the like): headline, table, counterexamples in <details>. */
export function markdownReport(r: VerifyReport): string {
  const s = r.summary;
  const out: string[] = [];
  out.push(`## scorecheck verify: ${r.ok ? '✅ every verdict as expected' : '❌ unexpected verdicts'}`);
  out.push('');
  out.push(`${s.total} claims · ${s.asExpected} as expected · ${s.unexpected} unexpected · ${s.errors} error${s.errors === 1 ? "" : "s"} · seed \`${r.seed}\`${r.shard ? ` · shard ${r.shard.index}/${r.shard.count}` : ''} · ${formatMs(s.ms)}`);
  out.push('');
  out.push('| | claim | source | verdict | evidence | time |');
  out.push('|---|---|---|---|---|---:|');
  for (const c of r.claims) {
    const mark = c.ok ? '✅' : c.verdict === 'error' ? '💥' : '❌';
    out.push(`| ${mark} | \`${cell(c.id)}\` | ${c.source} | ${cell(c.ok ? verdictText(c) : `**${verdictText(c)}**`)} | ${cell(formatEvidence(c))} | ${formatMs(c.ms)} |`);
  }
  const cx = r.claims.filter((c) => c.counterexample || !c.ok);
  if (cx.length > 0) {
    out.push('');
    for (const c of cx) {
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
