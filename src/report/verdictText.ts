import type { ResultRow } from './reportModel.ts';

/**
 * The table's words for a verdict. Claims: `holds on N cases`, `refuted as expected`,
 * `COUNTEREXAMPLE`; checks: `pass (N cases)`, `FAIL`; both: `INCONCLUSIVE`, `error`, `skipped`.
 */
export function verdictText(r: Pick<ResultRow, 'verdict' | 'cases' | 'kind' | 'expected'>): string {
  const n = `${r.cases} case${r.cases === 1 ? '' : 's'}`;
  switch (r.verdict) {
    case 'holds':
      return r.kind === 'check' ? `pass (${n})` : `holds on ${n}`;
    case 'refuted-as-expected':
      return 'refuted as expected';
    case 'counterexample':
      return r.kind === 'check' ? 'FAIL' : 'COUNTEREXAMPLE';
    case 'inconclusive':
      return 'INCONCLUSIVE';
    case 'error':
      return 'error';
    case 'skipped':
      return 'skipped';
  }
}
