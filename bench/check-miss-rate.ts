/**
 * How often one subject check misses one buggy subject, over many seeds: the empirical miss rate of an exact
 * check whose power comes from its case generator (a bug that only shows on some cases).
 *
 *   npx tsx bench/check-miss-rate.ts --subject examples/buggy/weighting-wrong-t.mjs --check loss.dsm --seeds 200 [--runs 30]
 *
 * Prints the seeds where the verdict was not a counterexample, and the miss rate with a 95 % Wilson interval.
 */
import { wilsonInterval } from './wilsonInterval.ts';
import { ModuleSubject, runSubjectChecks } from '../src/subject/index.ts';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const file = opt('--subject'), check = opt('--check');
if (!file || !check) {
  console.error('usage: npx tsx bench/check-miss-rate.ts --subject FILE.mjs --check ID --seeds N [--from S] [--runs R]');
  process.exit(2);
}
const seeds = Number(opt('--seeds') ?? 100), from = Number(opt('--from') ?? 1), runs = opt('--runs') !== undefined ? Number(opt('--runs')) : undefined;
const missed: number[] = [];
for (let seed = from; seed < from + seeds; seed++) {
  const subject = await ModuleSubject.load(file);
  const { results } = await runSubjectChecks(subject, { seed, only: [check], ...(runs !== undefined ? { runs } : {}) });
  const r = results.find((x) => x.run.id === check);
  if (r?.run.finding !== 'fails') missed.push(seed);
  await subject.close();
}
const n = seeds, p = missed.length / n;
const [lo, hi] = wilsonInterval(missed.length, n);
console.log(`${check} on ${file}: missed on ${missed.length} of ${n} seeds (${from}…${from + n - 1}${runs !== undefined ? `, ${runs} cases` : ', default cases'})${missed.length ? `: ${missed.slice(0, 20).join(', ')}${missed.length > 20 ? ', …' : ''}` : ''}`);
console.log(`miss rate ${(100 * p).toFixed(1)} % [${(100 * lo).toFixed(1)}, ${(100 * hi).toFixed(1)}] (95 % Wilson)`);
