/**
 * Every stable code users may match on is documented: error codes in docs/errors/, audit event
 * codes in docs/audit-events.md, refusal codes in docs/errors/auth.md and docs/errors/ssh.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_EVENTS } from '../src/audit/index.js';
import { AUTH_REFUSAL_CODES } from '../src/auth/index.js';
import { ROOT } from './support/bulwark.js';

function filesUnder(dir: string, pred: (f: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && pred(e.name))
    .map((e) => join(e.parentPath, e.name));
}

const errorDocs = filesUnder(join(ROOT, 'docs', 'errors'), (f) => f.endsWith('.md'))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

describe('documentation of stable codes', () => {
  it('documents every error code defined in an errors.ts', () => {
    const codes = new Set<string>();
    for (const f of filesUnder(join(ROOT, 'src'), (n) => n === 'errors.ts')) {
      for (const m of readFileSync(f, 'utf8').matchAll(/'(ERR_[A-Z0-9_]+)'/g)) codes.add(m[1] as string);
    }
    expect(codes.size).toBeGreaterThan(30);
    const missing = [...codes].filter((c) => !errorDocs.includes(`\`${c}\``));
    expect(missing).toEqual([]);
  });

  it('documents every authentication refusal code', () => {
    const ssh = readFileSync(join(ROOT, 'src', 'ssh', 'connection.ts'), 'utf8');
    const own = [...ssh.matchAll(/refuse\('(AUTH_[A-Z_]+)'/g)].map((m) => m[1] as string);
    expect(own.length).toBeGreaterThan(0);
    const missing = [...AUTH_REFUSAL_CODES, ...own].filter((c) => !errorDocs.includes(`\`${c}\``));
    expect(missing).toEqual([]);
  });

  it('documents every audit event code', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'audit-events.md'), 'utf8');
    const missing = Object.keys(AUDIT_EVENTS).filter((c) => !doc.includes(`| \`${c}\` |`));
    expect(missing).toEqual([]);
  });
});
