// NOT A BUG, A MISDECLARATION: the table is diffusers-style float32 (float32 betas and cumprod) while
// the hello declares float64 coefficients. Expected: schedule.named fails with a ROUNDING message
// ("your coefficients are float32 … consistent with float32 rounding"), never a bug diagnosis; the
// same subject declaring coefficient_precision "float32" passes.
import { createTrainingSubject, namedBetas } from '../reference-training.mjs';

const schedule = { kind: 'cosine', T: 50 };
const betas = namedBetas(schedule).map(Math.fround);
const ac = [];
betas.reduce((p, b) => { const v = Math.fround(p * Math.fround(1 - b)); ac.push(v); return v; }, 1);
const ref = createTrainingSubject({ name: 'float32 table declared float64', schedule, betas });
export default { ...ref, hello: { ...ref.hello, precision: 'float64' }, schedule: () => ({ alpha_bar: ac, t_base: 0 }) };
