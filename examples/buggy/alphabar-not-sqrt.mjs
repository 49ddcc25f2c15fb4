// BUG: ᾱ where √ᾱ belongs: x_t = ᾱ_t x_0 + √(1−ᾱ_t) ε. Expected: add_noise.exact.
import { createReferenceSubject } from '../reference-subject.mjs';

const ref = createReferenceSubject({ name: 'buggy: ᾱ instead of √ᾱ in add_noise' });
const { ab } = ref._internals;

export default {
  ...ref,
  add_noise({ x0, noise, t }) {
    return { xt: x0.map((row, n) => row.map((v, j) => ab(t[n]) * v + Math.sqrt(1 - ab(t[n])) * noise[n][j])) };
  },
};
