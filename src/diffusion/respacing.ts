import { InvalidArgumentError } from '../errors.ts';

/*
 * Respacing a base schedule of T steps to a subset of its timesteps (improved-diffusion's
 * `space_timesteps` + `SpacedDiffusion`, MATH.md §7.2): the kept 0-based base indices
 * i_1 < … < i_K define a new chain with ᾱ'_k = ᾱ_{i_k}.
 *  - { timesteps: [i_1, …] }: explicit indices (any order; duplicates are an error);
 *  - { section_counts: "10,15,20" | [10, 15, 20] }: the base split into equal sections (the first
 *    T mod n one step longer), each strided to its count by round(j·(size − 1)/(count − 1))
 *    accumulated in float64 and rounded half to even (Python's round);
 *  - { section_counts: "ddimN" }: the smallest integer stride i with |range(0, T, i)| = N.
 */
export type Respacing = { readonly timesteps: readonly number[] } | { readonly section_counts: string | readonly number[] };

/** Python's round(): to nearest, ties to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const frac = x - f;
  if (frac > 0.5) return f + 1;
  if (frac < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Python's int(str) for the decimal strings improved-diffusion parses: optional whitespace and sign,
 * digits with single underscores between them. Anything else (an empty item of "10,,20", "1e1", "0x10",
 * "10.0") is NaN — Python raises ValueError there, so scorecheck must not read it as some other schedule.
 */
function pythonInt(s: string): number {
  const m = /^\s*([+-]?)(\d+(?:_\d+)*)\s*$/.exec(s);
  return m ? (m[1] === '-' ? -1 : 1) * Number(m[2].replaceAll('_', '')) : Number.NaN;
}

/** The kept base indices, sorted increasing. Throws naming `field` on an impossible request. */
export function respacedIndices(T: number, r: Respacing, field = 'respacing'): number[] {
  if (r === null || typeof r !== 'object') throw new InvalidArgumentError(field, r, 'must be {timesteps} or {section_counts}');
  if ('timesteps' in r) {
    const ts = r.timesteps;
    if (!Array.isArray(ts) || ts.length < 1) throw new InvalidArgumentError(`${field}.timesteps`, ts, 'must be a non-empty array of base indices');
    const seen = new Set<number>();
    for (const [j, i] of ts.entries()) {
      if (!Number.isInteger(i) || i < 0 || i >= T) throw new InvalidArgumentError(`${field}.timesteps[${j}]`, i, `must be an integer in [0, ${T - 1}]`);
      if (seen.has(i)) throw new InvalidArgumentError(`${field}.timesteps[${j}]`, i, 'is repeated');
      seen.add(i);
    }
    return [...seen].sort((a, b) => a - b);
  }
  const sc = (r as { section_counts: unknown }).section_counts;
  if (typeof sc === 'string' && sc.startsWith('ddim')) {
    const want = pythonInt(sc.slice(4));
    if (!Number.isInteger(want) || want < 1) throw new InvalidArgumentError(`${field}.section_counts`, sc, 'ddimN needs an integer N ≥ 1');
    for (let i = 1; i < T; i++) {
      if (Math.ceil(T / i) === want) return Array.from({ length: want }, (_, j) => j * i);
    }
    throw new InvalidArgumentError(`${field}.section_counts`, sc, `cannot take exactly ${want} steps of ${T} with an integer stride`);
  }
  const counts = typeof sc === 'string' ? sc.split(',').map(pythonInt) : Array.isArray(sc) ? sc.map(Number) : [];
  // A section may take 0 steps (improved-diffusion allows it: "3,0,1"); at least one must take some.
  if (counts.length < 1 || counts.some((c) => !Number.isInteger(c) || c < 0) || counts.every((c) => c === 0)) {
    throw new InvalidArgumentError(`${field}.section_counts`, sc, 'must be "ddimN", or a list of integers ≥ 0, not all 0 (array or comma-separated)');
  }
  const sizePer = Math.floor(T / counts.length), extra = T % counts.length;
  let start = 0;
  const steps = new Set<number>();
  counts.forEach((count, i) => {
    const size = sizePer + (i < extra ? 1 : 0);
    if (size < count) throw new InvalidArgumentError(`${field}.section_counts[${i}]`, count, `cannot divide a section of ${size} steps into ${count}`);
    const stride = count <= 1 ? 1 : (size - 1) / (count - 1);
    let cur = 0;
    for (let j = 0; j < count; j++) {
      steps.add(start + roundHalfEven(cur));
      cur += stride;
    }
    start += size;
  });
  return [...steps].sort((a, b) => a - b);
}
