// BUG: ᾱ indexed off by one. The code uses Ho et al.'s 1-based timesteps (t_base = 1) but
// indexes the 0-based alphas_cumprod table with t directly, so it noises with ᾱ_{t+1}
// (and reads past the end at t = T). Expected to be caught by: add_noise.exact.
import { createReferenceSubject } from '../reference-subject.mjs';

const ref = createReferenceSubject({ name: 'buggy: ᾱ off by one', tBase: 1 });
const { alphasCumprod } = ref._internals;

export default {
  ...ref,
  add_noise({ x0, noise, t }) {
    return { xt: x0.map((row, n) => row.map((v, j) => Math.sqrt(alphasCumprod[t[n]]) * v + Math.sqrt(1 - alphasCumprod[t[n]]) * noise[n][j])) };
  },
};
