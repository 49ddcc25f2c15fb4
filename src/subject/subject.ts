import type { Hello, OpName } from './protocol.ts';

/** One answered request: the result and its id (for verdicts that name the request). */
export interface SubjectReply {
  readonly id: number;
  readonly result: unknown;
}

/**
 * An implementation under test, in-process or in a subprocess. `call` resolves with
 * the raw result, rejects with SubjectReplyError ({id, error}) or SubjectFatalError.
 */
export interface Subject {
  readonly description: string;
  readonly hello: Hello;
  /** Requests sent so far, per op (the hello excluded). */
  readonly callCounts: Readonly<Record<string, number>>;
  call(op: OpName, args: unknown): Promise<SubjectReply>;
  close(): Promise<void>;
}
