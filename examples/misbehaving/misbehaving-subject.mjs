#!/usr/bin/env node
// A subprocess subject that misbehaves on purpose, for scorecheck's robustness tests:
//   node misbehaving-subject.mjs MODE[:OP]
// MODE: ok | crash | hang | garbage | partial | wrong-shape | nan | error-reply | ignore-eof | bad-hello
// OP:   the operation that triggers it (default add_noise). It prints "pid=<pid>" on stderr first.
import { createInterface } from 'node:readline';
import { createReferenceSubject } from '../reference-subject.mjs';

const [mode, op = 'add_noise'] = (process.argv[2] ?? 'ok').split(':');
const ref = createReferenceSubject({ name: `misbehaving (${mode}:${op})` });
process.stderr.write(`pid=${process.pid}\n`);
if (mode === 'ignore-eof') process.on('SIGTERM', () => process.stderr.write('ignoring SIGTERM\n'));

const send = (s) => process.stdout.write(`${s}\n`);
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const req = JSON.parse(line);
  if (req.op === 'hello') {
    send(JSON.stringify({ id: req.id, result: mode === 'bad-hello' ? { ...ref.hello, protocol_version: 99 } : ref.hello }));
    return;
  }
  const result = ref[req.op](req.args);
  if (req.op !== op || mode === 'ok' || mode === 'ignore-eof') return send(JSON.stringify({ id: req.id, result }));
  switch (mode) {
    case 'crash':
      process.stderr.write('Traceback: simulated crash\n');
      process.exit(3);
    case 'hang':
      return; // never answers
    case 'garbage':
      return send('Loading checkpoint... done');
    case 'partial':
      return process.stdout.write(`{"id": ${req.id}, "result": {"xt": [[0.1`);
    case 'wrong-shape': {
      const key = Object.keys(result)[0];
      return send(JSON.stringify({ id: req.id, result: { [key]: result[key].map((row) => (Array.isArray(row) ? row.slice(1) : row)) } }));
    }
    case 'nan': {
      const key = Object.keys(result)[0];
      return send(JSON.stringify({ id: req.id, result }).replace(/(\[\[?)-?[0-9.e+-]+/, '$1NaN'));
    }
    case 'error-reply':
      return send(JSON.stringify({ id: req.id, error: `RuntimeError: ${op} not implemented for this config` }));
  }
});
rl.on('close', () => {
  if (mode === 'ignore-eof') setInterval(() => {}, 1000);
});
