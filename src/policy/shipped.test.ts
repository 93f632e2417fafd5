import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIPPED_POLICIES } from './testkit.js';

const BIN = resolve(SHIPPED_POLICIES, '..', 'bin', 'bulwark.js');

function bulwark(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: tmpdir(), encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bulwark policy on the shipped policies', () => {
  it('validate succeeds', () => {
    const r = bulwark(['policy', 'validate']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ok: \d+ policies in \d+ files/);
    expect(r.status).toBe(0);
  });

  it('test passes every shipped case', () => {
    const r = bulwark(['policy', 'test']);
    expect(r.stdout).not.toContain('FAIL');
    expect(r.stdout).toMatch(/(\d+) passed, 0 failed/);
    expect(r.status).toBe(0);
  });

  it('test fails with a per-case diff when a policy changes behaviour, and validate names the broken line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-policy-cli-'));
    try {
      cpSync(SHIPPED_POLICIES, dir, { recursive: true });
      // Turn the humans' audit-tamper deny into a review: the shipped cases must catch it.
      writeFileSync(
        join(dir, 'humans.cedar'),
        readFileSync(join(dir, 'humans.cedar'), 'utf8').replace('@id("humans.audit-tamper")', '@id("humans.audit-tamper")\n@decision("review")'),
      );
      const r = bulwark(['policy', 'test', '--policies', dir]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain('FAIL  tests/humans.yaml: nobody may tamper with logs, approved or not');
      expect(r.stdout).toContain('decision: expected deny, got allow');
      expect(r.stdout).toContain('FAIL  tests/humans.yaml: deny wins over review on the same line');

      writeFileSync(join(dir, 'site.cedar'), 'forbid (principal, action, resource)\nwhen { context.homePath.contains("x") };\n');
      const v = bulwark(['policy', 'validate', '--policies', dir]);
      expect(v.status).toBe(65);
      expect(v.stderr).toContain('ERR_POLICY_VALIDATION');
      expect(v.stderr).toContain('site.cedar:2:');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
