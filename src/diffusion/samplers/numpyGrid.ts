/**
 * The grid primitives diffusion schedulers build their timestep lists from, with NumPy's
 * exact floating-point semantics (MATH.md §5.1), so that scorecheck's expected list is the
 * list a NumPy/PyTorch scheduler really produces — not an idealised one that differs at the
 * rounding of a .5.
 */

/** NumPy's `np.round` (and Python's `round`) for one float: round half to even. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * `np.linspace(start, stop, num)` (endpoint included): y_i = start + i·step with
 * step = (stop − start)/(num − 1), and the last entry set to `stop` exactly; num = 1 gives [start].
 */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  for (let i = 0; i < num; i++) out[i] = step === 0 ? (i / div) * delta + start : i * step + start;
  out[num - 1] = stop;
  return out;
}

/**
 * `np.arange(start, stop, step)` for floats: length ⌈(stop − start)/step⌉ and entries
 * [start, start + step, start + i·δ …] with δ = (start + step) − start, as NumPy's fill computes them.
 */
export function arange(start: number, stop: number, step: number): Float64Array {
  const len = Math.max(0, Math.ceil((stop - start) / step));
  const out = new Float64Array(len);
  if (len === 0) return out;
  out[0] = start;
  if (len === 1) return out;
  out[1] = start + step;
  const delta = out[1] - start;
  for (let i = 2; i < len; i++) out[i] = start + i * delta;
  return out;
}
