/** The sampler check families; each runs as `<family>.<sampler name>` per declared sampler. */
export const SAMPLER_CHECK_IDS: readonly string[] = ['sample.exact', 'sample.network_time', 'sample.image', 'sample.quality'];

/** `sample.exact.ddim50`: the family id and the sampler name (characters a store key cannot hold become '-'). */
export function samplerCheckId(family: string, sampler: string): string {
  return `${family}.${sampler.replace(/[^A-Za-z0-9_@+-]+/g, '-')}`;
}

/** The family id of a per-sampler check id (`sample.exact.ddim50` → `sample.exact`), or the id itself. */
export function samplerCheckFamily(id: string): string {
  return SAMPLER_CHECK_IDS.find((f) => id.startsWith(`${f}.`)) ?? id;
}
