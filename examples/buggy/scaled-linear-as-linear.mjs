// BUG: Stable Diffusion's "scaled_linear" schedule declared, but the betas are linear in β
// (linspace(β₀, β₁)) instead of linear in √β (linspace(√β₀, √β₁)²). Expected: schedule.named.
import { createTrainingSubject } from '../reference-training.mjs';

const declared = { kind: 'scaled_linear', T: 50, beta_start: 0.00085, beta_end: 0.012 };
const ref = createTrainingSubject({ name: 'buggy: scaled_linear built as linear', schedule: { ...declared, kind: 'linear' } });
export default { ...ref, hello: { ...ref.hello, ops: { ...ref.hello.ops, schedule: { named: declared } } } };
