// BUG: a 1000-step cosine schedule respaced to 50 steps ("ddim50") by keeping the base betas at the
// kept steps (β′_k = β_{i_k}) instead of β′_k = 1 − ᾱ_{i_k}/ᾱ_{i_{k−1}} — the respaced chain no longer
// reaches the base chain's noise levels. Expected: schedule.named ("respaced with the base β").
import { createTrainingSubject, namedBetas } from '../reference-training.mjs';

const base = { kind: 'cosine', T: 1000 };
const kept = Array.from({ length: 50 }, (_, j) => 20 * j);
const baseBetas = namedBetas(base);
const ref = createTrainingSubject({ name: 'buggy: respaced with base betas', schedule: base, betas: kept.map((i) => baseBetas[i]) });
export default { ...ref, hello: { ...ref.hello, ops: { ...ref.hello.ops, schedule: { named: { ...base, respacing: { section_counts: 'ddim50' } } } } } };
