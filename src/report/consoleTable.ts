import { verdictText } from '../claims/verdict.ts';
import { formatCounterexample } from './formatCounterexample.ts';
import { formatEvidence } from './formatEvidence.ts';
import { formatMs } from './formatNumber.ts';
import type { VerifyReport } from './reportModel.ts';

/** Display width of a string (code points; the table's glyphs are all one column). */
function width(s: string): number {
  return [...s].length;
}

/** Left-aligned text table with a header rule. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, j) => Math.max(width(h), ...rows.map((r) => width(r[j]))));
  const line = (cells: readonly string[]) => cells.map((c, j) => (j === cells.length - 1 ? c : c + ' '.repeat(widths[j] - width(c)))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The `verify` console output: the table, every counterexample in readable form, and a summary line. */
export function consoleReport(r: VerifyReport): string {
  const rows = r.claims.map((c) => [c.id, c.source, verdictText(c), formatEvidence(c), formatMs(c.ms)]);
  const out: string[] = [textTable(['claim', 'source', 'verdict', 'evidence', 'time'], rows)];
  const withCx = r.claims.filter((c) => c.counterexample);
  const failures = r.claims.filter((c) => !c.ok && !c.counterexample);
  if (withCx.length > 0 || failures.length > 0) out.push('');
  for (const c of withCx) out.push(formatCounterexample(c), '');
  for (const c of failures) out.push(`${c.id}: ${verdictText(c)}${c.reason ? ` — ${c.reason}` : ''}`, '');
  const s = r.summary;
  out.push(
    `${s.total} claim${s.total === 1 ? '' : 's'}: ${s.asExpected} as expected, ${s.unexpected} unexpected, ${s.errors} error${s.errors === 1 ? '' : 's'} · seed ${r.seed}${r.shard ? ` · shard ${r.shard.index}/${r.shard.count}` : ''} · ${formatMs(s.ms)}`,
  );
  return out.join('\n');
}
