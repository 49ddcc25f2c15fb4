// BUG: the loss-second-moment sampler weights steps by the mean squared loss instead of its square
// root (√E[L²]), over-sampling the noisiest steps. Expected: timestep_sampler.distribution.
import { createTrainingSubject } from '../reference-training.mjs';

export default createTrainingSubject({ name: 'buggy: LSM sampler without sqrt', patch(I) { I.samplerWeight = (q) => q.reduce((acc, v) => acc + v * v, 0) / q.length; } });
