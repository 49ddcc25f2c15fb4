import { ScorecheckError } from '../errors.ts';

/** Where a subject misbehaved: the operation and the request id (0 = the hello). */
export interface RequestRef {
  readonly op: string;
  readonly requestId: number;
}

/**
 * The subject cannot be trusted any more (crashed, hung, wrote a non-protocol line,
 * broke the handshake, was asked for an undeclared op): the check run stops with verdict 'error'.
 */
export class SubjectFatalError extends ScorecheckError {
  override name = 'SubjectFatalError';
  constructor(
    readonly kind: 'crash' | 'timeout' | 'protocol' | 'handshake' | 'undeclared' | 'not-running',
    readonly ref: RequestRef,
    detail: string,
  ) {
    super(`${kind} in op "${ref.op}" (request ${ref.requestId}): ${detail}`);
  }
}

/** The subject answered {id, error}: a failure of this input, shrinkable like any other. */
export class SubjectReplyError extends ScorecheckError {
  override name = 'SubjectReplyError';
  constructor(
    readonly ref: RequestRef,
    readonly reply: string,
  ) {
    super(`subject returned an error for op "${ref.op}" (request ${ref.requestId}): ${reply}`);
  }
}

/** The answer has the wrong shape, a missing field, or a non-finite number. */
export class InvalidResponseError extends ScorecheckError {
  override name = 'InvalidResponseError';
  constructor(
    readonly ref: RequestRef,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`invalid response to op "${ref.op}" (request ${ref.requestId}) at ${field}: ${detail}`);
  }
}
