// BUG: the reported ᾱ table is alphas_cumprod_prev (it starts with ᾱ_0 = 1), a common
// confusion between the two tables DDPM code keeps. Expected: schedule.valid.
import { createReferenceSubject } from '../reference-subject.mjs';

const ref = createReferenceSubject({ name: 'buggy: schedule reports alphas_cumprod_prev' });
const { alphasCumprod } = ref._internals;

export default {
  ...ref,
  schedule: () => ({ alpha_bar: [1, ...alphasCumprod.slice(0, -1)], t_base: 0 }),
};
