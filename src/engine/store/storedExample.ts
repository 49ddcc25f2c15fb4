import { ScorecheckError } from '../../errors.ts';
import { decodeChoices } from '../choices/choiceSource.ts';

export const EXAMPLE_FORMAT = 'scorecheck-counterexample';
/** Version 2 stores the case's choice sequence and the case itself; version 1 stored a fast-check path. */
export const EXAMPLE_FORMAT_VERSION = 2;

/** The plain comparison of one evaluated case, as saved and reported. */
export interface OutcomeSummary {
  readonly holds?: boolean;
  readonly margin?: number;
  readonly maxError?: number;
  readonly tolerance?: number;
  readonly metric?: string;
  readonly z?: number;
  readonly zCritical?: number;
  readonly float32Multiple?: number;
  readonly note?: string;
  readonly error?: string;
}

/**
 * One saved counterexample (docs/report-schema.md): enough to rebuild the case exactly
 * (`choices`), to tell whether the rebuilt case is still the one that failed (`case`,
 * its plain view), and to print it.
 */
export interface StoredExample {
  /** Claim or check id. */
  readonly property: string;
  readonly kind: 'fails' | 'throws';
  readonly choices: readonly (number | string)[];
  readonly case: unknown;
  readonly size?: Readonly<Record<string, number>>;
  /** The shrunk case's comparison, and the first failing case's before shrinking. */
  readonly outcome: OutcomeSummary;
  readonly first?: OutcomeSummary;
  readonly quantities?: Readonly<Record<string, unknown>>;
  readonly found: { readonly seed: number; readonly phase: string; readonly date: string; readonly scorecheckVersion: string };
}

/** One store file: every saved example of one key. */
export interface StoreFile {
  readonly format: typeof EXAMPLE_FORMAT;
  readonly formatVersion: typeof EXAMPLE_FORMAT_VERSION;
  readonly key: string;
  readonly examples: readonly StoredExample[];
}

/** A store file that is unreadable or malformed: names the file and the field. */
export class StoreFileError extends ScorecheckError {
  override name = 'StoreFileError';
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/** Validates a parsed store file; throws StoreFileError naming the field. */
export function validateStoreFile(v: unknown, file: string): StoreFile {
  const fail = (d: string): never => {
    throw new StoreFileError(file, d);
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('expected a JSON object');
  const o = v as Record<string, unknown>;
  if (o.format !== EXAMPLE_FORMAT) fail(`format must be "${EXAMPLE_FORMAT}" (got ${JSON.stringify(o.format)})`);
  if (o.formatVersion !== EXAMPLE_FORMAT_VERSION) {
    fail(`formatVersion ${JSON.stringify(o.formatVersion)} is not read by this scorecheck (${EXAMPLE_FORMAT_VERSION}; version 1 files stored fast-check paths and cannot be replayed — delete the file)`);
  }
  if (typeof o.key !== 'string' || o.key === '') fail('key must be a non-empty string');
  if (!Array.isArray(o.examples)) fail('examples must be an array');
  (o.examples as unknown[]).forEach((e, i) => {
    const f = `examples[${i}]`;
    if (typeof e !== 'object' || e === null) fail(`${f} must be an object`);
    const x = e as Record<string, unknown>;
    if (typeof x.property !== 'string' || x.property === '') fail(`${f}.property must be a non-empty string`);
    if (x.kind !== 'fails' && x.kind !== 'throws') fail(`${f}.kind must be "fails" or "throws" (got ${JSON.stringify(x.kind)})`);
    if (!Array.isArray(x.choices)) fail(`${f}.choices must be an array`);
    try {
      decodeChoices(x.choices as unknown[], `${f}.choices`);
    } catch (err) {
      fail((err as Error).message);
    }
    if (typeof x.outcome !== 'object' || x.outcome === null) fail(`${f}.outcome must be an object`);
    const found = x.found as Record<string, unknown> | undefined;
    if (typeof found !== 'object' || found === null || typeof found.seed !== 'number') fail(`${f}.found must be an object with a numeric seed`);
  });
  return o as unknown as StoreFile;
}
