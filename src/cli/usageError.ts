import { ScorecheckError } from '../errors.ts';

/** Bad command-line usage or input: printed as one line, exit code 2, no stack trace. */
export class UsageError extends ScorecheckError {
  override name = 'UsageError';
}
