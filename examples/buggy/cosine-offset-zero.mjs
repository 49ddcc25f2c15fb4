// BUG: the cosine schedule built with offset s = 0 (the "+ s" of Nichol & Dhariwal dropped) while the
// hello declares the standard s = 0.008. Expected: schedule.named ("it matches cosine with s = 0").
import { createTrainingSubject } from '../reference-training.mjs';

const declared = { kind: 'cosine', T: 50, s: 0.008 };
const ref = createTrainingSubject({ name: 'buggy: cosine offset 0', schedule: { ...declared, s: 0 } });
export default { ...ref, hello: { ...ref.hello, ops: { ...ref.hello.ops, schedule: { named: declared } } } };
