// BUG: the importance weights of the timestep sampler returned as 1/p_t instead of 1/(T·p_t), so the
// loss is T times too large and its t-average is no longer the uniform one it estimates.
// Expected: timestep_sampler.distribution ("importance weight … 1/(T p_t)").
import { createTrainingSubject } from '../reference-training.mjs';

export default createTrainingSubject({ name: 'buggy: importance weights without T', patch(I) { I.importanceWeight = (p, k) => 1 / p[k]; } });
