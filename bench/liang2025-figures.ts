/** Prints the liang2025 figures' data (and times them). Run: npx tsx bench/liang2025-figures.ts */
import { liang2025Claims } from '../src/claims/liang2025/index.ts';
for (const c of liang2025Claims) {
  if (!c.figures) continue;
  const t0 = performance.now();
  const figs = c.figures();
  const ms = performance.now() - t0;
  for (const f of figs) {
    console.log(`\n${f.id} — ${f.title} (${ms.toFixed(0)} ms for ${c.id})`);
    for (const s of f.series) console.log(`  ${s.name}: ${s.points.map(([x, y]) => `(${+x.toPrecision(3)}, ${+y.toPrecision(3)})`).join(' ')}`);
  }
}
