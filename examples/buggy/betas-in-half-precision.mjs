// BUG: the betas are stored in float16 (a `.half()` on the schedule under mixed precision) and
// accumulated in float32, while the hello declares float32 coefficients. The table is off by far
// more than float32 rounding. Expected: schedule.named ("beyond float32 rounding").
import { createTrainingSubject, namedBetas } from '../reference-training.mjs';

/** Round to float16's 11 significand bits (normal range). */
function half(x) {
  const e = Math.floor(Math.log2(Math.abs(x)));
  const q = 2 ** (e - 10);
  return Math.round(x / q) * q;
}
const schedule = { kind: 'linear', T: 200, beta_start: 1e-4, beta_end: 0.02 };
const betas = namedBetas(schedule).map((b) => Math.fround(half(b)));
const ref = createTrainingSubject({ name: 'buggy: float16 betas', schedule, betas });
// The cumulative product in float32, as torch.cumprod on a float32 tensor does.
const ac = [];
betas.reduce((p, b) => { const v = Math.fround(p * Math.fround(1 - b)); ac.push(v); return v; }, 1);
export default { ...ref, hello: { ...ref.hello, precision: 'float32', coefficient_precision: 'float32' }, schedule: () => ({ alpha_bar: ac, t_base: 0 }) };
