import { formatCounterexample } from './formatCounterexample.ts';
import { formatEvidence } from './formatEvidence.ts';
import { formatMs, formatNumber } from './formatNumber.ts';
import type { Report } from './reportModel.ts';
import { verdictText } from './verdictText.ts';

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

/** The headline numbers of a report, one line. */
export function summaryLine(r: Report): string {
  const s = r.summary;
  const noun = r.command === 'verify' ? 'claim' : 'check';
  const parts = [
    `${s.total} ${noun}${s.total === 1 ? '' : 's'}: ${s.asExpected} as expected`,
    `${s.unexpected} unexpected`,
    ...(s.inconclusive > 0 ? [`${s.inconclusive} inconclusive`] : []),
    `${s.errors} error${s.errors === 1 ? '' : 's'}`,
    ...(s.skipped > 0 ? [`${s.skipped} skipped`] : []),
  ];
  return `${parts.join(', ')} · seed ${r.seed}${r.selection.shard ? ` · shard ${r.selection.shard.index}/${r.selection.shard.count}` : ''} · α ${formatNumber(r.falseAlarm.total, 2)} over ${r.falseAlarm.made} statistical assertion${r.falseAlarm.made === 1 ? '' : 's'} · ${formatMs(s.ms)}`;
}

/** The console output of `verify`, `check` and `merge`: the table, every counterexample and non-expected verdict in readable form, and a summary line. */
export function consoleReport(r: Report): string {
  const claims = r.command === 'verify';
  const rows = r.results.map((c) => [c.id, c.group, verdictText(c), c.verdict === 'skipped' ? (c.reason ?? '') : formatEvidence(c), formatMs(c.ms)]);
  const out: string[] = [];
  if (r.subject) out.push(`scorecheck check — ${r.subject.name ?? r.subject.spec}`);
  if (r.fatal) out.push(`ERROR ${r.fatal}`);
  out.push(textTable([claims ? 'claim' : 'check', claims ? 'source' : 'op', 'verdict', 'evidence', 'time'], rows));
  const withCx = r.results.filter((c) => c.counterexample);
  const others = r.results.filter((c) => !c.ok && !c.counterexample);
  if (withCx.length > 0 || others.length > 0) out.push('');
  for (const c of withCx) out.push(formatCounterexample(c), '');
  for (const c of others) out.push(`${c.id}: ${verdictText(c)}${c.reason ? ` — ${c.reason}` : ''}`, '');
  for (const c of r.results) for (const n of c.storeNotes) if (n !== 'saved counterexample reproduced') out.push(`${c.id}: ${n}`);
  if (r.interrupted) out.push('INTERRUPTED: the run was stopped; only the finished rows are reported.');
  out.push(summaryLine(r));
  return out.join('\n');
}
