import { readFileSync } from 'node:fs';
import { ScorecheckError } from '../errors.ts';
import { type ChoiceValue, decodeChoices, encodeChoices } from './choices/choiceSource.ts';
import { validateStoreFile } from './store/storedExample.ts';

/** A `--replay` argument that cannot be read: names the argument and why. */
export class ReplaySpecError extends ScorecheckError {
  override name = 'ReplaySpecError';
}

const TOKEN = 'choices:';

/** A case to replay: its choices and, when saved with them, the plain case they built (to detect a stale file). */
export interface ReplayCase {
  readonly choices: readonly ChoiceValue[];
  readonly case?: unknown;
}

/** The inline form of a case: `choices:` + base64url(JSON of its choice sequence). */
export function replayToken(choices: readonly (number | string)[]): string {
  return TOKEN + Buffer.from(JSON.stringify(choices)).toString('base64url');
}

export function encodeReplayToken(values: readonly ChoiceValue[]): string {
  return replayToken(encodeChoices(values));
}

/**
 * The cases a `--replay` argument names, by property id: an inline token (for the one
 * selected property, `only`), a store file (every example in it), or a JSON report
 * (every counterexample in it).
 */
export function readReplaySpec(spec: string, only: string | undefined): Map<string, ReplayCase[]> {
  const out = new Map<string, ReplayCase[]>();
  const add = (id: string, choices: ChoiceValue[], c?: unknown) => out.set(id, [...(out.get(id) ?? []), c === undefined ? { choices } : { choices, case: c }]);
  if (spec.startsWith(TOKEN)) {
    if (only === undefined) throw new ReplaySpecError(`--replay ${TOKEN}…: select exactly one claim or check to replay it on`);
    let v: unknown;
    try {
      v = JSON.parse(Buffer.from(spec.slice(TOKEN.length), 'base64url').toString('utf8'));
    } catch {
      throw new ReplaySpecError(`--replay: the token is not a choice sequence printed by scorecheck`);
    }
    if (!Array.isArray(v)) throw new ReplaySpecError('--replay: the token is not a choice sequence printed by scorecheck');
    add(only, decodeChoices(v, '--replay'));
    return out;
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(spec, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ReplaySpecError(`--replay ${spec}: ${code === 'ENOENT' ? 'no such file' : code ? 'cannot read' : 'not valid JSON'} (give a saved counterexample file, a JSON report, or a choices:… token)`);
  }
  const o = json as Record<string, unknown>;
  if (o && o.format === 'scorecheck-counterexample') {
    const f = validateStoreFile(json, spec);
    for (const e of f.examples) add(e.property, decodeChoices(e.choices), e.case);
  } else if (o && Array.isArray(o.results)) {
    for (const r of o.results as { id?: unknown; counterexample?: { choices?: unknown; case?: unknown } }[]) {
      if (typeof r.id === 'string' && Array.isArray(r.counterexample?.choices)) add(r.id, decodeChoices(r.counterexample.choices), r.counterexample.case);
    }
  } else throw new ReplaySpecError(`--replay ${spec}: neither a saved counterexample file nor a JSON report`);
  if (only !== undefined) for (const k of [...out.keys()]) if (k !== only) out.delete(k);
  if (out.size === 0) throw new ReplaySpecError(`--replay ${spec}: no case${only ? ` for ${only}` : ''} in it`);
  return out;
}
