/** One program about to run, after unwrapping: its argv, where its stdin comes from, and the
 * wrapper path that led to it. Rules read flags through the helpers here so `-rf`, `-r -f`,
 * `--recursive` and `--opt=value` / `--opt value` are all read the same way. */
import type { Redirect, Span, Word } from './types.js';
import { UNKNOWN } from './types.js';

export type Stdin =
  | { readonly kind: 'tty' }
  | { readonly kind: 'pipe'; readonly producer?: Invocation; readonly text?: string }
  | { readonly kind: 'text'; readonly text: string; readonly how: 'here-doc' | 'here-string'; readonly dynamic: boolean }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'unknown' };

export interface Invocation {
  /** argv[0] is the program word. */
  readonly argv: readonly Word[];
  /** Resolved basename of the program. */
  readonly name: string;
  /** Resolved values of argv[1..] (UNKNOWN marks unresolved parts). */
  readonly args: readonly string[];
  readonly redirects: readonly Redirect[];
  readonly stdin: Stdin;
  readonly stdoutPiped: boolean;
  /** Wrapper path, e.g. ["sudo", "bash -c"]; the program itself is appended when reporting. */
  readonly path: readonly string[];
  readonly span: Span;
  /** Environment given to this program only (`X=1 cmd`, `env X=1 cmd`). */
  readonly env: ReadonlyMap<string, string>;
}

export function isUnknown(s: string): boolean {
  return s.includes(UNKNOWN);
}

/** Arguments after the options end: `--` or, for tools that stop at the first operand, earlier. */
export interface ArgSpec {
  /** Options that take a value (short `-n` or long `--namespace`). */
  readonly valued?: readonly string[];
}

export interface ParsedArgs {
  readonly flags: Map<string, string | true>;
  readonly positionals: string[];
  /** Index in args of each positional. */
  readonly positionalIdx: number[];
}

/** A getopt-ish reading: short clusters `-rf` set r and f; valued options consume the next arg
 * unless given as `-nVALUE`/`--opt=VALUE`. Everything after `--` is positional. */
export function parseArgs(args: readonly string[], spec: ArgSpec = {}, stopAtFirst = false): ParsedArgs {
  const valued = new Set(spec.valued ?? []);
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  const positionalIdx: number[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      i++;
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      if (eq >= 0) flags.set(name, a.slice(eq + 1));
      else if (valued.has(name) && i + 1 < args.length) flags.set(name, args[++i] as string);
      else flags.set(name, true);
      continue;
    }
    if (a.startsWith('-') && a.length > 1 && a !== '-') {
      for (let k = 1; k < a.length; k++) {
        const f = `-${a[k] as string}`;
        if (valued.has(f)) {
          const rest = a.slice(k + 1);
          if (rest.length > 0) flags.set(f, rest);
          else if (i + 1 < args.length) flags.set(f, args[++i] as string);
          else flags.set(f, true);
          break;
        }
        flags.set(f, true);
      }
      continue;
    }
    positionals.push(a);
    positionalIdx.push(i);
    if (stopAtFirst) {
      i++;
      break;
    }
  }
  for (; i < args.length; i++) {
    positionals.push(args[i] as string);
    positionalIdx.push(i);
  }
  return { flags, positionals, positionalIdx };
}

/** True when any of the given flags is present (short flags may be clustered). */
export function has(p: ParsedArgs, ...names: string[]): boolean {
  return names.some((n) => p.flags.has(n));
}

export function value(p: ParsedArgs, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = p.flags.get(n);
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/** Case-insensitive word list of the args, for subcommand matching (`aws s3 rm`). */
export function lowerArgs(inv: Invocation): string[] {
  return inv.args.map((a) => a.toLowerCase());
}

/** A network destination that is not this host. */
export function isRemoteHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === '' ) return false;
  return !/^(localhost|127\.\d+\.\d+\.\d+|::1|0\.0\.0\.0|ip6-localhost)$/.test(h);
}

/** Host of a URL-ish argument (`https://h:1/x`, `h:9200/x`, `h/x`). */
export function urlHost(u: string): string {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(u);
  return m?.[1] ?? '';
}
