import { type ResultRow, resultRow } from '../../src/report/reportModel.ts';
import { type Subject, runSubjectChecks } from '../../src/subject/index.ts';

/** Every check of a subject through the engine, without a store (each test starts clean). */
export async function runChecks(subject: Subject, opts: { runs?: number; seed: number; only?: string[] }): Promise<ResultRow[]> {
  return (await runSubjectChecks(subject, opts)).results.map(({ run, op }) => resultRow(run, 'check', op));
}
