// BUG: SD3-style logit-normal timestep sampling declared with logit_mean = 0.5, but the sampler draws
// with mean 0 (the configured location never reaches torch.normal). Expected: timestep_sampler.distribution.
import { createTrainingSubject } from '../reference-training.mjs';

export default createTrainingSubject({
  name: 'buggy: logit-normal location ignored',
  sampler: { kind: 'logit_normal', mean: 0.5, std: 1 },
  patch(I) { I.logitMean = () => 0; },
});
