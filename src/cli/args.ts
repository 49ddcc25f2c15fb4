import { UsageError } from './usageError.ts';

/** An option a command accepts. `multiple`: repeatable, and takes every following non-option word (`--claim a b c`). */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
}

export interface ParsedArgs {
  readonly options: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * A tiny parser: `--name value`, `--name=value`, `--flag`, `--no-flag`
 * (booleans), `-h`, `--` ends options. Unknown options and missing values are
 * UsageErrors naming the option.
 */
export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, OptionSpec>>): ParsedArgs {
  const options: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  const shorts = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([n, s]) => [s.short!, n]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
    } else if (/^-[A-Za-z]$/.test(a)) {
      name = shorts.get(a.slice(1));
      if (!name) throw new UsageError(`unknown option ${a}`);
    } else {
      positionals.push(a);
      continue;
    }
    const s = spec[name];
    if (!s && name.startsWith('no-') && spec[name.slice(3)]?.type === 'boolean' && inline === undefined) {
      options[name.slice(3)] = false;
      continue;
    }
    if (!s) throw new UsageError(`unknown option --${name}`);
    if (s.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`option --${name} takes no value`);
      options[name] = true;
      continue;
    }
    const values: string[] = [];
    if (inline !== undefined) values.push(inline);
    else {
      while (i + 1 < argv.length && !(argv[i + 1].startsWith('-') && argv[i + 1].length > 1 && !/^-\d/.test(argv[i + 1]))) {
        values.push(argv[++i]);
        if (!s.multiple) break;
      }
    }
    if (values.length === 0 || values.some((v) => v === '')) throw new UsageError(`option --${name} needs a value`);
    if (s.multiple) {
      const prev = (options[name] as string[] | undefined) ?? [];
      options[name] = [...prev, ...values.flatMap((v) => v.split(',').map((x) => x.trim()).filter((x) => x !== ''))];
    } else {
      if (options[name] !== undefined) throw new UsageError(`option --${name} given twice`);
      options[name] = values[0];
    }
  }
  return { options, positionals };
}

/** A positive integer option, or the default. */
export function intOption(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const s = String(value);
  if (!/^-?\d+$/.test(s)) throw new UsageError(`--${name} must be an integer (got "${s}")`);
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer in [${min}, ${max}] (got ${s})`);
  return n;
}
