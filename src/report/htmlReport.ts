import type { Figure } from '../engine/figure.ts';
import { formatCounterexample } from './formatCounterexample.ts';
import { formatEvidence } from './formatEvidence.ts';
import { formatMs } from './formatNumber.ts';
import type { Report, ResultRow } from './reportModel.ts';
import { summaryLine } from './consoleTable.ts';
import { verdictText } from './verdictText.ts';
import { renderFigureSvg } from './svgChart.ts';
import { xmlEscape as esc } from './xmlEscape.ts';

/** What the HTML report knows about a claim beyond its result: its assumptions and figures (computed on defaults). */
export interface ClaimExtras {
  readonly assumptions?: readonly string[];
  readonly figures?: readonly Figure[];
  /** figures() threw: its one-line error. */
  readonly figureError?: string;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#111;background:#fafafa}
main{max-width:1220px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 4px;font-family:ui-monospace,Menlo,Consolas,monospace}
.meta{color:#555} .badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600}
.ok{background:#e3f4e8;color:#126b2e} .bad{background:#fde7e7;color:#a11} .err{background:#fff0d9;color:#8a4b00}
table{border-collapse:collapse;width:100%;background:#fff} th,td{border-bottom:1px solid #e6e6e6;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f1f1f1;font-weight:600} .badge{white-space:nowrap} td.num{text-align:right;white-space:nowrap} code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
.figs{display:flex;flex-wrap:wrap;gap:14px} figure{margin:0;background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:8px;width:560px}
figure h4{margin:0 0 4px;font-size:13.5px} figcaption{font-size:12.5px;color:#444;margin-top:4px}
pre{background:#fff;border:1px solid #e3e3e3;padding:10px;overflow:auto;font-size:12.5px}
.statement{margin:2px 0 6px} ul.assume{margin:0 0 8px;color:#444;font-size:13px}
`;

/**
 * The single-file HTML report: opens offline (inline CSS, inline SVG, no
 * scripts or external assets). A summary, the verdict table, each claim's
 * figures as static SVG charts, and every counterexample in readable form.
 */
export function htmlReport(r: Report, extras: (id: string) => ClaimExtras = () => ({})): string {
  const out: string[] = [];
  const title = r.subject ? `scorecheck check — ${r.subject.name ?? r.subject.spec}` : `scorecheck ${r.command}`;
  out.push('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">');
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${esc(title)} — ${r.ok ? 'as expected' : 'unexpected verdicts'}</title><style>${CSS}</style></head><body><main>`);
  out.push(`<h1>${esc(title)} <span class="badge ${r.ok ? 'ok' : 'bad'}">${r.ok ? 'every verdict as expected' : 'unexpected verdicts'}</span></h1>`);
  out.push(`<p class="meta">${esc(summaryLine(r))} · scorecheck ${esc(r.scorecheckVersion)} · ${esc(r.date)}</p>`);
  if (r.fatal) out.push(`<p class="badge err">error: ${esc(r.fatal)}</p>`);
  if (r.interrupted) out.push('<p class="badge err">interrupted: only the finished rows are reported</p>');
  const noun = r.command === 'verify' ? 'claim' : 'check';

  out.push(`<h2>Verdicts</h2><table><thead><tr><th>${noun}</th><th>${r.command === 'verify' ? 'source' : 'op'}</th><th>expected</th><th>verdict</th><th>evidence</th><th>time</th></tr></thead><tbody>`);
  for (const c of r.results) {
    const cls = c.ok ? 'ok' : c.verdict === 'error' || c.verdict === 'inconclusive' ? 'err' : 'bad';
    out.push(`<tr><td><a href="#${anchor(c.id)}"><code>${esc(c.id)}</code></a></td><td>${esc(c.group)}</td><td>${c.expected}</td><td><span class="badge ${cls}">${esc(verdictText(c))}</span></td><td>${esc(c.verdict === 'skipped' ? (c.reason ?? '') : formatEvidence(c))}</td><td class="num">${formatMs(c.ms)}</td></tr>`);
  }
  out.push('</tbody></table>');

  out.push(`<h2>${r.command === 'verify' ? 'Claims' : 'Checks'}</h2>`);
  for (const c of r.results) {
    const x = extras(c.id);
    // A check's figures are measured in the run (c.figures); a claim's come from its module.
    out.push(claimSection(c, c.figures && c.figures.length > 0 ? { ...x, figures: [...(x.figures ?? []), ...c.figures] } : x));
  }
  out.push('</main></body></html>\n');
  return out.join('\n');
}

function claimSection(c: ResultRow, x: ClaimExtras): string {
  const out: string[] = [`<section id="${anchor(c.id)}"><h3>${esc(c.id)}</h3>`];
  if (c.statement) out.push(`<p class="statement">${esc(c.statement)} <span class="meta">(expected: ${c.expected}; ${esc(verdictText(c))})</span></p>`);
  if (x.assumptions && x.assumptions.length > 0) out.push(`<ul class="assume">${x.assumptions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>`);
  if (c.counterexample || !c.ok) {
    const text = c.counterexample ? formatCounterexample(c) : `${verdictText(c)}${c.reason ? ` — ${c.reason}` : ''}`;
    out.push(`<details${c.ok ? '' : ' open'}><summary>${c.counterexample ? 'counterexample' : 'details'}</summary><pre>${esc(text)}</pre></details>`);
  }
  if (x.figureError) out.push(`<p class="badge err">figures(): ${esc(x.figureError)}</p>`);
  if (x.figures && x.figures.length > 0) {
    out.push('<div class="figs">');
    for (const f of x.figures) {
      out.push(`<figure id="${anchor(`${c.id}-${f.id}`)}"><h4>${esc(f.title)}</h4>${renderFigureSvg(f)}${f.caption ? `<figcaption>${esc(f.caption)}</figcaption>` : ''}</figure>`);
    }
    out.push('</div>');
  }
  out.push('</section>');
  return out.join('\n');
}

function anchor(id: string): string {
  return `c-${id.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}
