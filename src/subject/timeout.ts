import { type RequestRef, SubjectFatalError } from './subjectError.ts';

/** Rejects with a 'timeout' SubjectFatalError naming the request if `p` takes longer than `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, ref: RequestRef): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SubjectFatalError('timeout', ref, `no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
