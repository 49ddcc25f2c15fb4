import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';
import type { Figure } from '../engine/figure.ts';
import { formatNumber } from './formatNumber.ts';
import { xmlEscape } from './xmlEscape.ts';

/** Colour-blind-safe series colours (Okabe–Ito). */
export const SERIES_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

export interface ChartSize {
  readonly width: number;
  readonly height: number;
}

const MARGIN = { top: 16, right: 16, bottom: 46, left: 64 };
const LEGEND_ROW = 15;

/**
 * A Figure as a static, self-contained SVG string (no DOM, no browser): d3-scale
 * gives the (log or linear) scales and their ticks, d3-shape the line paths.
 * Points that a log axis cannot show (≤ 0) and non-finite points are left out,
 * and the caption says how many.
 */
export function renderFigureSvg(fig: Figure, size: ChartSize = { width: 560, height: 320 }): string {
  const showLegend = fig.series.length > 1 || (fig.series.length === 1 && fig.series[0].name !== '');
  const legendHeight = showLegend ? LEGEND_ROW * fig.series.length + 6 : 0;
  const w = size.width - MARGIN.left - MARGIN.right;
  const h = size.height - MARGIN.top - MARGIN.bottom;
  let totalHeight = size.height + legendHeight;
  let dropped = 0;
  const series = fig.series.map((s) => ({
    ...s,
    points: s.points.filter(([x, y]) => {
      const ok = Number.isFinite(x) && Number.isFinite(y) && (!fig.logX || x > 0) && (!fig.logY || y > 0);
      if (!ok) dropped++;
      return ok;
    }),
  }));
  const xs = series.flatMap((s) => s.points.map((p) => p[0])).concat((fig.markers ?? []).map((m) => m.x).filter((x) => Number.isFinite(x) && (!fig.logX || x > 0)));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const title = `<title>${xmlEscape(fig.title)}</title>`;
  if (xs.length === 0 || ys.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}" role="img">${title}<text x="${size.width / 2}" y="${size.height / 2}" text-anchor="middle" font-size="13" fill="#666">no finite points to plot</text></svg>`;
  }
  const x = domainScale(fig.logX === true, xs, [0, w]);
  const y = domainScale(fig.logY === true, ys, [h, 0]);
  // Extreme domains (spans beyond the double range) can still map a point off the finite line: leave it out too.
  for (const s of series) {
    const kept = s.points.filter((p) => Number.isFinite(x(p[0])) && Number.isFinite(y(p[1])));
    dropped += s.points.length - kept.length;
    (s as { points: readonly (readonly [number, number])[] }).points = kept;
  }
  if (dropped > 0) totalHeight += 14;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${totalHeight}" viewBox="0 0 ${size.width} ${totalHeight}" role="img" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="11">`);
  parts.push(title);
  parts.push(`<g transform="translate(${MARGIN.left},${MARGIN.top})">`);
  // Grid and ticks.
  const xTicks = safeTicks(() => x.ticks(6));
  const yTicks = safeTicks(() => y.ticks(5));
  const xt = thinTicks(xTicks, fig.logX === true, 8).filter((t) => Number.isFinite(x(t)));
  const yt = thinTicks(yTicks, fig.logY === true, 7).filter((t) => Number.isFinite(y(t)));
  for (const t of xt) parts.push(`<line x1="${f(x(t))}" x2="${f(x(t))}" y1="0" y2="${h}" stroke="#e5e5e5"/><text x="${f(x(t))}" y="${h + 15}" text-anchor="middle" fill="#333">${xmlEscape(formatNumber(t, 3))}</text>`);
  for (const t of yt) parts.push(`<line x1="0" x2="${w}" y1="${f(y(t))}" y2="${f(y(t))}" stroke="#e5e5e5"/><text x="-6" y="${f(y(t))}" dy="0.32em" text-anchor="end" fill="#333">${xmlEscape(formatNumber(t, 3))}</text>`);
  parts.push(`<rect x="0" y="0" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  parts.push(`<text x="${w / 2}" y="${h + 34}" text-anchor="middle" font-size="12" fill="#111">${xmlEscape(fig.xLabel)}${fig.logX ? ' (log)' : ''}</text>`);
  parts.push(`<text transform="translate(${-48},${h / 2}) rotate(-90)" text-anchor="middle" font-size="12" fill="#111">${xmlEscape(fig.yLabel)}${fig.logY ? ' (log)' : ''}</text>`);
  // Series.
  const path = line<readonly [number, number]>().x((p) => x(p[0])).y((p) => y(p[1]));
  series.forEach((s, i) => {
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
    if (s.style === 'points' || s.points.length === 1) {
      for (const p of s.points) parts.push(`<circle cx="${f(x(p[0]))}" cy="${f(y(p[1]))}" r="2.6" fill="${colour}"/>`);
    } else {
      const d = path(s.points as (readonly [number, number])[]);
      if (d) parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.8"${dashAttribute(i)}/>`);
    }
  });
  // Markers: dashed verticals with a label.
  (fig.markers ?? []).forEach((m, i) => {
    if (!Number.isFinite(m.x) || (fig.logX && m.x <= 0) || !Number.isFinite(x(m.x))) return;
    const px = f(x(m.x));
    parts.push(`<line x1="${px}" x2="${px}" y1="0" y2="${h}" stroke="#444" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${px}" y="${10 + 12 * (i % 3)}" dx="3" fill="#222">${xmlEscape(m.label)}</text>`);
  });
  parts.push('</g>');
  // Legend below the plot (never over the data): one row per series.
  if (showLegend) {
    series.forEach((s, i) => {
      const ly = MARGIN.top + h + MARGIN.bottom + 4 + LEGEND_ROW * i;
      const colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
      const mark = s.style === 'points' ? `<circle cx="${MARGIN.left + 9}" cy="${ly}" r="3" fill="${colour}"/>` : `<line x1="${MARGIN.left}" x2="${MARGIN.left + 18}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2.4"${dashAttribute(i)}/>`;
      parts.push(`${mark}<text x="${MARGIN.left + 24}" y="${ly}" dy="0.32em" fill="#111">${xmlEscape(s.name)}</text>`);
    });
  }
  if (dropped > 0) parts.push(`<text x="${size.width - 4}" y="${totalHeight - 4}" text-anchor="end" font-size="10" fill="#a00">${dropped} point${dropped === 1 ? '' : 's'} not shown (non-finite${fig.logX || fig.logY ? ' or ≤ 0 on a log axis' : ''})</text>`);
  parts.push('</svg>');
  return parts.join('');
}

function f(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

function domainScale(log: boolean, values: number[], range: [number, number]) {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo = log ? (lo / 10 > 0 ? lo / 10 : lo) : lo - pad;
    hi = log ? (Number.isFinite(hi * 10) ? hi * 10 : hi) : hi + pad;
    if (lo === hi) hi = log ? lo * 2 ** 10 : lo + 1;
  }
  // A span too small to subdivide (subnormal values) cannot be ticked: widen it.
  if (!log && !((hi - lo) / Math.max(Math.abs(lo), Math.abs(hi)) > 1e-12)) {
    const c = (lo + hi) / 2;
    const pad = Math.max(Math.abs(c) * 1e-3, 1e-300);
    lo = c - pad;
    hi = c + pad;
  }
  if (log) return scaleLog().domain([lo, hi]).range(range).nice();
  return scaleLinear().domain([lo, hi]).range(range).nice();
}

/** Log scales return many minor ticks: keep the decades (or every k-th tick) so labels do not collide. */
function thinTicks(ticks: number[], log: boolean, maxCount: number): number[] {
  let t = ticks;
  if (log) {
    const decades = t.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
    if (decades.length >= 2) t = decades;
  }
  if (t.length <= maxCount) return t;
  const k = Math.ceil(t.length / maxCount);
  return t.filter((_, i) => i % k === 0);
}

/** d3's ticks for a scale; a degenerate domain gives none rather than an exception. */
function safeTicks(f: () => number[]): number[] {
  try {
    return f().filter((t) => Number.isFinite(t));
  } catch {
    return [];
  }
}

/** Series i > 0 get their own dash pattern, so coinciding curves stay distinguishable (and readable in grey print). */
const SERIES_DASHES = ['', '7 3', '2 3', '9 3 2 3', '4 2'];
function dashAttribute(i: number): string {
  const dash = SERIES_DASHES[i % SERIES_DASHES.length];
  return dash ? ` stroke-dasharray="${dash}"` : '';
}
