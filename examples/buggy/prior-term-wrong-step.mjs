// BUG: the prior term KL(q(x_T|x_0) ‖ N(0, I)) evaluated at the second-to-last step (ᾱ_{T−1}, an
// off-by-one in `t = num_timesteps - 1` with 1-based tables). Expected: vlb_prior.exact.
import { createTrainingSubject } from '../reference-training.mjs';

export default createTrainingSubject({ name: 'buggy: prior at T − 1', patch(I) { I.priorStep = I.T - 2; } });
