import type { Rng } from '../../mc/rng.ts';
import { type Choice, type ChoiceValue, clampChoice, simplestChoice, uniformChoice } from './choiceSource.ts';

/**
 * A local move of a case in its own parameterization (the targeted search's proposal):
 * one to three recorded choices changed — nudged by a step of random scale (from one
 * unit to half the range, so both fine and coarse moves happen), set to an end of its
 * range or to its simplest value, or redrawn uniformly. Later choices are replayed as
 * recorded (clamped into whatever range they are asked for).
 */
export function mutateChoices(record: readonly Choice[], rng: Rng): ChoiceValue[] {
  const out = record.map((c) => c.value);
  if (record.length === 0) return out;
  const edits = 1 + (rng.uniform() < 0.3 ? 1 : 0) + (rng.uniform() < 0.1 ? 1 : 0);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(rng.uniform() * record.length);
    const { value, min, max } = record[i];
    const u = rng.uniform();
    out[i] =
      u < 0.45 ? nudge(value, min, max, rng)
      : u < 0.57 ? min
      : u < 0.69 ? max
      : u < 0.75 ? simplestChoice(min, max)
      : uniformChoice(rng, min, max);
  }
  return out;
}

function nudge(value: ChoiceValue, min: ChoiceValue, max: ChoiceValue, rng: Rng): ChoiceValue {
  const up = rng.uniform() < 0.5;
  if (typeof min === 'bigint') {
    const span = (max as bigint) - min;
    if (span === 0n) return min;
    const bits = span.toString(2).length;
    const k = BigInt(1 + Math.floor(rng.uniform() * bits));
    let step = span >> k;
    if (step < 1n) step = 1n;
    return clampChoice((value as bigint) + (up ? step : -step), min, max);
  }
  const span = (max as number) - min;
  if (span === 0) return min;
  const bits = Math.max(1, Math.ceil(Math.log2(span + 1)));
  const k = 1 + Math.floor(rng.uniform() * bits);
  const step = Math.max(1, Math.floor(span / 2 ** k));
  return clampChoice((value as number) + (up ? step : -step), min, max);
}
