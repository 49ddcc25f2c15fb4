import type { Report } from './reportModel.ts';

/** The JSON report text (schema: docs/report-schema.md). Non-finite numbers are written as strings ("NaN", "Infinity"). */
export function jsonReport(r: Report): string {
  return `${JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`;
}
