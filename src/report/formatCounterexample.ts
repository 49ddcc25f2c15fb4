import type { ClaimReport } from './reportModel.ts';
import { formatNumber } from './formatNumber.ts';

/**
 * A counterexample for a human: the case field by field (matrices as aligned
 * rows), the compared quantities side by side, the error against its
 * tolerance, and how to replay it. Plain text, indented by `indent`.
 */
export function formatCounterexample(c: ClaimReport, indent = '  '): string {
  const cx = c.counterexample;
  if (!cx) return '';
  const lines: string[] = [];
  lines.push(`${c.id}: ${c.verdict === 'refuted-as-expected' ? 'refuted as expected' : c.verdict === 'error' ? 'error' : 'COUNTEREXAMPLE'}${c.reason ? ` — ${c.reason}` : ''}`);
  lines.push(`${indent}case:`);
  lines.push(...formatValueLines(cx.case, indent + indent));
  if (cx.quantities && Object.keys(cx.quantities).length > 0) {
    lines.push(`${indent}quantities:`);
    lines.push(...formatSideBySide(cx.quantities as Record<string, unknown>, indent + indent));
  }
  if (cx.maxError !== undefined) {
    const rel = cx.tolerance === undefined ? '' : cx.maxError <= cx.tolerance ? ' ≤ tolerance ' : ' > tolerance ';
    lines.push(`${indent}${cx.metric ?? 'error'} ${formatNumber(cx.maxError, 3)}${cx.tolerance !== undefined ? rel + formatNumber(cx.tolerance, 3) : ''}`);
  }
  if (cx.z !== undefined) {
    lines.push(`${indent}z = ${formatNumber(cx.z, 4)}${cx.zCritical !== undefined ? ` (critical ${formatNumber(cx.zCritical, 4)})` : ''}`);
  }
  if (cx.note) lines.push(`${indent}note: ${cx.note}`);
  if (cx.error) lines.push(`${indent}error: ${cx.error}`);
  lines.push(`${indent}replay: npx scorecheck verify --claim ${c.id} --replay ${cx.seed}:${cx.path}`);
  if (c.savedTo) lines.push(`${indent}saved: ${c.savedTo}`);
  return lines.join('\n');
}

/** `name  value` rows with the names padded to one column; array values inline, matrices as rows. */
export function formatSideBySide(q: Record<string, unknown>, indent: string): string[] {
  const width = Math.max(...Object.keys(q).map((k) => [...k].length));
  const out: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    const pad = ' '.repeat(width - [...k].length);
    if (isNumberMatrix(v)) {
      out.push(`${indent}${k}${pad} =`);
      out.push(...formatMatrix(v, `${indent}  `));
    } else out.push(`${indent}${k}${pad}  ${formatScalarOrVector(v)}`);
  }
  return out;
}

/** A plain value as lines: objects field by field, matrices as aligned rows, vectors inline. */
export function formatValueLines(v: unknown, indent: string): string[] {
  if (isNumberMatrix(v)) return formatMatrix(v, indent);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [`${indent}${formatScalarOrVector(v)}`];
  const out: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (isNumberMatrix(x)) {
      out.push(`${indent}${k} =`);
      out.push(...formatMatrix(x, `${indent}  `));
    } else if (typeof x === 'object' && x !== null && !Array.isArray(x)) {
      out.push(`${indent}${k}:`);
      out.push(...formatValueLines(x, `${indent}  `));
    } else out.push(`${indent}${k} = ${formatScalarOrVector(x)}`);
  }
  return out;
}

export function isNumberMatrix(v: unknown): v is number[][] {
  return Array.isArray(v) && v.length > 0 && v.every((r) => Array.isArray(r) && r.length === (v[0] as unknown[]).length && r.every((x) => typeof x === 'number'));
}

/** Rows of a matrix, right-aligned columns between bracket glyphs. Large matrices show their top-left 8×8. */
export function formatMatrix(m: number[][], indent: string): string[] {
  const maxShow = 8;
  const rows = m.slice(0, maxShow).map((r) => r.slice(0, maxShow).map((x) => formatNumber(x, 5)));
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const n = rows.length;
  const out = rows.map((r, i) => {
    const [l, rr] = n === 1 ? ['[', ']'] : i === 0 ? ['⎡', '⎤'] : i === n - 1 ? ['⎣', '⎦'] : ['⎢', '⎥'];
    const more = m[0].length > maxShow ? ' …' : '';
    return `${indent}${l} ${r.map((x, j) => x.padStart(widths[j])).join('  ')}${more} ${rr}`;
  });
  if (m.length > maxShow) out.push(`${indent}  … (${m.length}×${m[0].length})`);
  return out;
}

function formatScalarOrVector(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v, 10);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'number')) {
      const head = v.slice(0, 8).map((x) => formatNumber(x as number, 6)).join(', ');
      return `[${head}${v.length > 8 ? `, … (${v.length} items)` : ''}]`;
    }
    return JSON.stringify(v);
  }
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
