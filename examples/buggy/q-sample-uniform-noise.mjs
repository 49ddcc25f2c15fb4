// BUG: the subject draws its own noise from U[0, 1) (torch.rand_like) instead of N(0, 1)
// (torch.randn_like); add_noise with supplied noise is correct. Expected: q_sample.distribution.
import { createReferenceSubject, seededNormals } from '../reference-subject.mjs';

const ref = createReferenceSubject({ name: 'buggy: uniform noise in q_sample' });

export default {
  ...ref,
  q_sample({ x0, t, seed }) {
    const rng = seededNormals(seed);
    return ref.add_noise({ x0, t, noise: x0.map((row) => row.map(() => rng.uniform())) });
  },
};
