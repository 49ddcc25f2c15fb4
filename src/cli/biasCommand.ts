import type { CliIO } from './io.ts';
import { line } from './io.ts';

export async function biasCommand(_argv: readonly string[], io: CliIO): Promise<number> {
  io.stderr.write(line('scorecheck bias: not yet implemented'));
  return 2;
}
