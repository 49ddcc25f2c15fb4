import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeArray, encodeArray, toNested } from './arrayCodec.ts';

/**
 * The wire arrays of protocol version 2: base64 little-endian float32/float64 with dtype and shape,
 * or nested lists. Round trips are exact (float32: to Math.fround), NumPy reads what we write and
 * we read what NumPy writes; malformed input names the field and the index. Negative control:
 * big-endian bytes of the same values do not decode to them.
 */
const values = [0, -0, 1, -1.5, Math.PI, 1e-310, 6.02e23, -(2 ** -1074), 1 / 3];

describe('array codec', () => {
  it('round-trips float64 exactly and float32 to the nearest float32, nested or binary', () => {
    const shape = [3, 3];
    expect(Array.from(decodeArray(encodeArray(values, shape), 'x').data)).toEqual(values);
    expect(Array.from(decodeArray(encodeArray(values, shape, 'float32'), 'x').data)).toEqual(values.map(Math.fround));
    const nested = toNested(values, shape);
    expect(nested).toEqual([values.slice(0, 3), values.slice(3, 6), values.slice(6)]);
    const d = decodeArray(nested, 'x');
    expect(d.shape).toEqual(shape);
    expect(Array.from(d.data)).toEqual(values);
  });

  it('names the field and index of bad input', () => {
    expect(() => decodeArray([[1, 2], [3]], 'args.x_init')).toThrow(/args\.x_init\[1\].*ragged/);
    expect(() => decodeArray([[1, NaN]], 'r')).toThrow(/r\[0\]\[1\].*non-finite/);
    expect(() => decodeArray({ dtype: 'float64', shape: [2], data: encodeArray([1], [1]).data }, 'r')).toThrow(/r\.data.*needs 16 bytes/);
    expect(() => decodeArray({ dtype: 'int8', shape: [1], data: 'AA==' }, 'r')).toThrow(/r\.dtype/);
    expect(() => decodeArray({ dtype: 'float64', shape: [1], data: '***' }, 'r')).toThrow(/base64/);
    expect(() => decodeArray([1, 2, 3], 'r', [1, 3])).toThrow(/shape \[1,3\]/);
    expect(() => decodeArray(7, 'r')).toThrow(/must be an array/);
  });

  it('negative control: big-endian bytes are not the values', () => {
    const buf = Buffer.alloc(8 * 3);
    [1.5, -2, 3.25].forEach((v, i) => buf.writeDoubleBE(v, 8 * i));
    const got = Array.from(decodeArray({ dtype: 'float64', shape: [3], data: buf.toString('base64') }, 'r').data);
    expect(got).not.toEqual([1.5, -2, 3.25]);
  });

  const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasNumpy)('NumPy decodes what we encode and we decode what NumPy encodes', () => {
    const ours = [encodeArray(values, [9]), encodeArray(values, [3, 3], 'float32')];
    const py = String.raw`
import json, sys, base64, numpy as np
a = json.loads(sys.stdin.read())
out = [np.frombuffer(base64.b64decode(x['data']), dtype={'float64': '<f8', 'float32': '<f4'}[x['dtype']]).reshape(x['shape']).astype(float).ravel().tolist() for x in a]
arr = np.array([[0.1, -2.5], [3e-300, 7.0]], dtype='<f8')
out.append({'dtype': 'float64', 'shape': list(arr.shape), 'data': base64.b64encode(arr.tobytes()).decode()})
print(json.dumps(out))`;
    const r = spawnSync('python3', ['-c', py], { input: JSON.stringify(ours), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [a, b, theirs] = JSON.parse(r.stdout);
    expect(a).toEqual(values);
    expect(b).toEqual(values.map(Math.fround));
    const d = decodeArray(theirs, 'numpy');
    expect(d.shape).toEqual([2, 2]);
    expect(Array.from(d.data)).toEqual([0.1, -2.5, 3e-300, 7]);
  });
});
