import { InvalidArgumentError } from '../../errors.ts';

/**
 * The shape of one sample, channels first: [C, H, W] for images, [d] for vectors (C = d channels
 * at one "pixel"). Data are stored channel-major (index c·P + p, P = H·W pixels), the layout of a
 * contiguous NCHW tensor, so a per-pixel channel-mixing (1×1) map is C×C and acts on each pixel.
 */
export interface SampleShape {
  readonly dims: readonly number[];
  readonly C: number;
  readonly P: number;
  readonly size: number;
}

export function sampleShape(dims: readonly number[], field = 'sample_shape'): SampleShape {
  if (!Array.isArray(dims) || dims.length < 1) throw new InvalidArgumentError(field, dims, 'must be a non-empty array of positive integers ([d] or [C, H, W])');
  dims.forEach((v, i) => {
    if (!(Number.isInteger(v) && v >= 1 && v <= 1 << 20)) throw new InvalidArgumentError(`${field}[${i}]`, v, 'must be a positive integer');
  });
  const C = dims[0];
  const P = dims.slice(1).reduce((a, b) => a * b, 1);
  if (C * P > 1 << 24) throw new InvalidArgumentError(field, dims, 'more than 2^24 entries per sample');
  return { dims: [...dims], C, P, size: C * P };
}

export function sameShape(a: SampleShape, b: SampleShape): boolean {
  return a.dims.length === b.dims.length && a.dims.every((v, i) => v === b.dims[i]);
}
