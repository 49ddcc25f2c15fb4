import type { Rng } from '../../src/mc/rng.ts';

/**
 * A generator whose draws are fixed scripts (cycled): every normal and uniform a computation
 * consumes is known, so a Monte Carlo routine can be checked draw by draw against the same
 * arithmetic written out by hand — a deterministic per-sample identity that sees mean-zero
 * changes no statistical test can. `fork` restarts both scripts; `consumed()` counts normals.
 */
export interface ScriptedRng extends Rng {
  consumed(): number;
}

export function scriptedRng(normals: readonly number[], uniforms: readonly number[] = [0.5]): ScriptedRng {
  let i = 0, j = 0;
  const normal = () => normals[i++ % normals.length];
  const uniform = () => uniforms[j++ % uniforms.length];
  const fillNormal = (out: Float64Array) => {
    for (let k = 0; k < out.length; k++) out[k] = normal();
    return out;
  };
  return { seed: `scripted(${normals.join(',')})`, uniform, normal, fillNormal, fork: () => scriptedRng(normals, uniforms), consumed: () => i };
}
