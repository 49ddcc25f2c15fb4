import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from './io.ts';
import { main } from './main.ts';
import { terminalProgress } from './biasCommand.ts';

const repo = join(import.meta.dirname, '../..');
const fx = (p: string) => join(repo, 'fixtures/bias', p);

async function run(argv: string[], cwd = mkdtempSync(join(tmpdir(), 'scorecheck-bias-')), tty = false) {
  let out = '', err = '';
  const io: CliIO = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, stderrIsTTY: tty, env: {}, cwd };
  const code = await main(argv, io);
  return { code, out, err, cwd };
}

function oneLineError(r: { code: number; err: string }, pattern: RegExp) {
  expect(r.code).toBe(2);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(pattern);
}

describe('scorecheck bias', () => {
  it('the example: table, weighted totals, and the numbers of the old calculator (docs/bias-spec.md)', async () => {
    const r = await run(['bias', fx('example.json')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^1 +0\.9999 +19998 +15\.698 +19984 /m);
    expect(r.out).toMatch(/Weighted totals over t = 1\.\.1000/);
    expect(r.out).toMatch(/note: weighting not given/);
  });

  it('a PSD samples CSV (duplicated column) and an n < d .npy give results; JSON v2 has rows, totals and the spectrum', async () => {
    const psd = await run(['bias', fx('psd-duplicated-column-spec.json'), '--json', '-']);
    expect(psd.code).toBe(0);
    const j = JSON.parse(psd.out);
    expect(j.version).toBe(2);
    expect(j.setting).toMatchObject({ d: 4, n: 40, rank: 3, route: 'covariance-eigen', regularization: 0 });
    expect(j.spectrum.eigenvalues[3]).toBe(0);
    expect(j.totals.weighting).toEqual({ parameterization: 'eps', weights: 'min-snr-5' });
    expect(j.rows.map((x: { t: number }) => x.t)).toEqual([1, 101, 201, 301, 401, 501, 601, 701, 801, 901, 1000]);
    const npy = await run(['bias', fx('latents-npy-spec.json'), '--json', '-']);
    expect(npy.code).toBe(0);
    const k = JSON.parse(npy.out);
    expect(k.setting).toMatchObject({ d: 12, n: 6, rank: 5, route: 'gram-eigen', regularization: 0.001, encoder: { k: 2, tau: 0.2 } });
    expect(k.setting.source).toMatchObject({ format: 'npy', shape: [6, 2, 2, 3] });
    expect(k.notes.join('\n')).toMatch(/regularization ε = 0\.001/);
    for (const row of k.rows) expect(row.inputBiasGap).toBeLessThan(row.Ct);
  });

  it('"scaled-linear" keeps its meaning and says so; presets and diffusers configs name what users know', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'scorecheck-bias-'));
    const spec = (o: unknown) => {
      writeFileSync(join(cwd, 's.json'), JSON.stringify(o));
      return run(['bias', 's.json', '--json', '-'], cwd);
    };
    const data = { cov: [[1, 0.2], [0.2, 0.5]] };
    const old = JSON.parse((await spec({ data, schedule: { kind: 'scaled-linear', T: 100 }, timesteps: [100] })).out);
    const renamed = JSON.parse((await spec({ data, schedule: { kind: 'linear-rescaled', T: 100 }, timesteps: [100] })).out);
    expect(old.rows).toEqual(renamed.rows);
    expect(old.notes.join('\n')).toMatch(/NOT diffusers' scaled_linear/);
    const sd = JSON.parse((await spec({ data, schedule: 'stable-diffusion', timesteps: [1, 1000] })).out);
    const diff = JSON.parse((await spec({ data, schedule: { kind: 'diffusers', beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012 }, timesteps: [1, 1000] })).out);
    expect(sd.rows).toEqual(diff.rows);
    // diffusers' scaled_linear: β_1 = 0.00085, β_T = 0.012, linear in √β (ᾱ_T = 0.0046601 for SD).
    expect(sd.rows[0].alphaBar).toBeCloseTo(1 - 0.00085, 15);
    expect(sd.rows[1].alphaBar).toBeCloseTo(0.0046600, 6);
  });

  it('bad inputs: one line naming the file and the field', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'scorecheck-bias-'));
    const spec = (o: unknown) => {
      writeFileSync(join(cwd, 's.json'), JSON.stringify(o));
      return run(['bias', 's.json'], cwd);
    };
    const sched = { kind: 'linear', T: 10 };
    oneLineError(await spec({ data: { cov: [[1, 2], [2, 1]] }, schedule: sched }), /s\.json: data\.cov: .*smallest eigenvalue -1\.00000.*regularization ε ≥ 1\.00/);
    oneLineError(await spec({ data: { samples: join(repo, 'fixtures/bias/npy/fortran.npy') }, schedule: sched }), /fortran\.npy: fortran_order: True is not supported/);
    oneLineError(await spec({ data: { samples: join(repo, 'fixtures/bias/npy/latents-4d.npy') }, schedule: sched, encoder: { B: [[1, 2]], tau: 1 } }), /s\.json: encoder\.B: expected dimension k×12, got 1x2/);
    oneLineError(await spec({ data: { cov: [[1]] }, schedule: 'sdxl' }), /schedule: unknown preset "sdxl" \(presets: ddpm, stable-diffusion, cosine/);
    oneLineError(await spec({ data: { cov: [[1]] }, schedule: { kind: 'diffusers', beta_schedule: 'sigmoid' } }), /schedule\.beta_schedule: must be "linear", "scaled_linear" or "squaredcos_cap_v2"/);
    oneLineError(await spec({ data: { cov: [[1]] }, schedule: sched, regularization: -1 }), /regularization: must be a number ≥ 0 \(got -1\)/);
    oneLineError(await spec({ data: { cov: [[1]] }, schedule: sched, weighting: { parameterization: 'velocity' } }), /weighting\.parameterization: must be one of/);
    oneLineError(await spec({ data: { cov: [[1]] }, schedule: sched, weighting: { weights: [1, 2] } }), /weighting\.weights: has 2 entries, the schedule has T = 10/);
    oneLineError(await spec({ data: { eigenvalues: [1, 0.5] }, schedule: sched, encoder: { B: [[1, 0]], tau: 1 } }), /encoder: needs the data as a covariance or samples/);
    oneLineError(await spec({ data: { cov: [[1, 0.5], [0.4, 1]] }, schedule: sched }), /data\.cov\[1\]\[0\]: 0\.4 differs from data\.cov\[0\]\[1\] = 0\.5/);
    oneLineError(await run(['bias', fx('example.json'), '--threads', '0']), /--threads must be an integer/);
    writeFileSync(join(cwd, 'one.csv'), '1,2\n');
    oneLineError(await spec({ data: { samples: 'one.csv' }, schedule: sched }), /one\.csv: .*need at least 2 samples/);
  });

  it('an encoder B from a CSV file equals the same B inline', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'scorecheck-bias-'));
    const B = [[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 1]];
    writeFileSync(join(cwd, 'B.csv'), B.map((r) => r.join(',')).join('\n'));
    const base = { data: { samples: join(repo, 'fixtures/bias/npy/latents-4d.npy') }, schedule: 'stable-diffusion', regularization: 1e-3, timesteps: [1, 500] };
    writeFileSync(join(cwd, 'a.json'), JSON.stringify({ ...base, encoder: { B: 'B.csv', tau: 0.2 } }));
    writeFileSync(join(cwd, 'b.json'), JSON.stringify({ ...base, encoder: { B, tau: 0.2 } }));
    const a = JSON.parse((await run(['bias', 'a.json', '--json', '-'], cwd)).out);
    const b = JSON.parse((await run(['bias', 'b.json', '--json', '-'], cwd)).out);
    expect(a.rows).toEqual(b.rows);
    expect(a.setting.encoder).toEqual({ k: 2, tau: 0.2 });
  });

  it('eigenvalues alone: d given, the rest zero', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'scorecheck-bias-'));
    writeFileSync(join(cwd, 's.json'), JSON.stringify({ data: { eigenvalues: [2, 1], dim: 16384 }, schedule: 'ddpm', timesteps: [1] }));
    const r = await run(['bias', 's.json', '--json', '-'], cwd);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.setting).toMatchObject({ d: 16384, rank: 2, route: 'eigenvalues' });
    expect(Math.abs(j.rows[0].conditionalScoreNorm / (16384 / 1e-4) - 1)).toBeLessThan(1e-12);
  });
});

describe('progress line (stderr TTY only, after 1 s)', () => {
  it('silent during the first second, then one rewritten line, cleared at the end', () => {
    let t = 0, err = '';
    const p = terminalProgress({ write: (s: string) => (err += s) }, () => t);
    p.update('Gram matrix', 1, 4);
    expect(err).toBe('');
    t = 1500;
    p.update('Gram matrix', 2, 4);
    expect(err).toBe('\r\x1b[Kscorecheck bias: Gram matrix 50% (1.5 s)');
    t = 1550;
    p.update('Gram matrix', 3, 4); // within 100 ms of the last draw: skipped
    expect(err.split('\r\x1b[K')).toHaveLength(2);
    p.done();
    expect(err.endsWith('\r\x1b[K')).toBe(true);
  });

  it('the command writes nothing to stderr when it is not a terminal', async () => {
    const r = await run(['bias', fx('example.json')]);
    expect(r.err).toBe('');
  });
});
