import { controlClaims } from '../claims/control/selftest.ts';
import { allClaims } from '../claims/registry.ts';
import { textTable } from '../report/consoleTable.ts';
import { parseArgs } from './args.ts';
import { type CliIO, line } from './io.ts';
import { UsageError } from './usageError.ts';

export const CLAIMS_HELP = `Usage: scorecheck claims [--json] [--controls]

Lists the claims registry: id, source, expected verdict and statement.
  --json       print the list as JSON (id, source, expected, statement, assumptions, defaultRuns)
  --controls   include the deliberately broken negative controls
  -h, --help   this help
`;

export async function claimsCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { options: o, positionals } = parseArgs(argv, { json: { type: 'boolean' }, controls: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (o.help) {
    io.stdout.write(CLAIMS_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const claims = o.controls ? [...allClaims, ...controlClaims] : allClaims;
  if (o.json) {
    const list = claims.map((c) => ({ id: c.id, source: c.source, expected: c.expected, statement: c.statement, assumptions: c.assumptions, defaultRuns: c.defaultRuns, figures: c.figures !== undefined }));
    io.stdout.write(line(JSON.stringify(list, null, 2)));
    return 0;
  }
  io.stdout.write(line(textTable(['claim', 'source', 'expected', 'statement'], claims.map((c) => [c.id, c.source, c.expected, c.statement]))));
  io.stdout.write(line(`${claims.length} claim${claims.length === 1 ? '' : 's'}`));
  return 0;
}
