import type { OutcomeSummary } from '../engine/store/storedExample.ts';
import { distinguishable } from './formatEvidence.ts';
import { formatNumber } from './formatNumber.ts';
import type { ResultRow } from './reportModel.ts';
import { verdictText } from './verdictText.ts';

/** Error multiples of float32 rounding below this read as rounding ("looks like float32 rounding"). */
export const FLOAT32_LOOKALIKE = 16;

/**
 * A counterexample for a human: the case field by field (matrices as aligned rows), the
 * request, expected and got (checks), the compared quantities side by side, the shrunk
 * case's comparison beside the first failing case's (how bad the bug was where it was
 * found), a rounding verdict, and how to replay it. Plain text, indented by `indent`.
 */
export function formatCounterexample(c: ResultRow, indent = '  '): string {
  const cx = c.counterexample;
  if (!cx) return '';
  const lines: string[] = [];
  lines.push(`${c.id}: ${verdictText(c)}${c.reason ? ` — ${c.reason}` : ''}`);
  if (cx.size) lines.push(`${indent}size: ${Object.entries(cx.size).map(([k, v]) => `${k} = ${v}`).join(', ')}`);
  lines.push(`${indent}case:`);
  lines.push(...formatValueLines(cx.case, indent + indent));
  const o = cx.outcome;
  if (o?.inputs !== undefined) {
    lines.push(`${indent}request${o.requestId !== undefined ? ` #${o.requestId}` : ''}${o.op ? ` (${o.op})` : ''}:`);
    lines.push(...formatValueLines(o.inputs, indent + indent));
  }
  if (o?.expected !== undefined || o?.got !== undefined) {
    lines.push(`${indent}expected:`);
    lines.push(...formatValueLines(o.expected, indent + indent));
    lines.push(`${indent}got:`);
    lines.push(...formatValueLines(o.got, indent + indent));
  }
  if (o?.quantities && Object.keys(o.quantities).length > 0) {
    lines.push(`${indent}quantities:`);
    lines.push(...formatSideBySide(o.quantities as Record<string, unknown>, indent + indent));
  }
  if (o) lines.push(`${indent}${cx.first ? 'shrunk: ' : ''}${comparison(o)}`);
  if (cx.first) lines.push(`${indent}first failing case (${cx.foundIn}, before shrinking): ${comparison(cx.first)}`);
  if (o?.float32Multiple !== undefined) lines.push(`${indent}${roundingVerdict(o.float32Multiple)}`);
  if (o?.note) lines.push(`${indent}note: ${o.note}`);
  if (cx.note) lines.push(`${indent}note: ${cx.note}`);
  if (cx.error) lines.push(`${indent}error: ${cx.error}`);
  if (c.replay) lines.push(`${indent}replay: ${c.replay}`);
  if (c.savedTo) lines.push(`${indent}saved: ${c.savedTo}`);
  return lines.join('\n');
}

/** `error 3.2e-4 > tolerance 1e-9 (margin 5.5)`, `|z| 7.1 > 6.4`, or the error line. */
export function comparison(o: OutcomeSummary): string {
  if (o.error) return `error: ${o.error}`;
  const parts: string[] = [];
  if (o.maxError !== undefined) {
    const [v, l] = distinguishable(o.maxError, o.tolerance);
    parts.push(`${o.metric ?? 'error'} ${v}${l !== undefined ? `${o.maxError <= (o.tolerance as number) ? ' ≤ tolerance ' : ' > tolerance '}${l}` : ''}`);
    if (o.tolerance !== undefined && o.tolerance > 0 && o.maxError >= 0) parts.push(`${formatNumber(o.maxError / o.tolerance, 3)}× the tolerance`);
  }
  if (o.z !== undefined) parts.push(`z = ${formatNumber(o.z, 4)}${o.zCritical !== undefined ? ` (critical ${formatNumber(o.zCritical, 4)})` : ''}`);
  return parts.length > 0 ? parts.join(' · ') : o.holds === false ? 'fails' : 'holds';
}

/** Says whether an error is within a small multiple of float32 rounding of the compared terms. */
export function roundingVerdict(multiple: number): string {
  const m = formatNumber(multiple, 3);
  return multiple <= FLOAT32_LOOKALIKE
    ? `looks like float32 rounding: the error is ${m}× float32 rounding of the terms (declare "precision": "float32" if your coefficients are float32)`
    : `not rounding: the error is ${m}× float32 rounding of the terms`;
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
