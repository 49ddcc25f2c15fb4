// BUG: variance where the standard deviation belongs: x_t = √ᾱ_t x_0 + (1−ᾱ_t) ε.
// Expected: add_noise.exact.
import { createReferenceSubject } from '../reference-subject.mjs';

const ref = createReferenceSubject({ name: 'buggy: 1−ᾱ instead of √(1−ᾱ) in add_noise' });
const { ab } = ref._internals;

export default {
  ...ref,
  add_noise({ x0, noise, t }) {
    return { xt: x0.map((row, n) => row.map((v, j) => Math.sqrt(ab(t[n])) * v + (1 - ab(t[n])) * noise[n][j])) };
  },
};
