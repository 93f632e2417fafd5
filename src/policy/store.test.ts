import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PolicyError, PolicyStore, type PolicySet } from './index.js';
import { policyDir, request } from './testkit.js';

const ALLOW_ALL = '@id("everyone") permit (principal, action, resource);\n';
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function waitFor<T>(what: string, get: () => T | undefined, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      const v = get();
      if (v !== undefined) resolve(v);
      else if (Date.now() > until) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

describe('PolicyStore', () => {
  it('reloads a valid change and keeps the previous set when a change is broken', async () => {
    const { dir, cleanup } = policyDir({ 'main.cedar': ALLOW_ALL });
    cleanups.push(cleanup);
    const reloads: PolicySet[] = [];
    const errors: unknown[] = [];
    const store = await PolicyStore.open(dir, { onReload: (s) => reloads.push(s), onError: (e) => errors.push(e), pollMs: 100 });
    cleanups.push(() => store.close());
    expect(store.engine.evaluate(request({ kind: 'agent' })).rule).toBe('everyone');

    writeFileSync(join(dir, 'main.cedar'), `${ALLOW_ALL}@id("no-agents") forbid (principal, action, resource) when { principal.kind == "agent" };\n`);
    await waitFor('reload', () => reloads[0]);
    expect(store.engine.evaluate(request({ kind: 'agent' })).rule).toBe('no-agents');

    // A broken edit: typo in an attribute. The set in force must not change.
    writeFileSync(join(dir, 'extra.cedar'), 'forbid (principal, action, resource) when { principal.knd == "human" };\n');
    const err = await waitFor('error', () => errors[0]);
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).code).toBe('ERR_POLICY_VALIDATION');
    expect((err as PolicyError).message).toContain('extra.cedar:1');
    expect(reloads).toHaveLength(1);
    expect(store.engine.evaluate(request({ kind: 'agent' })).rule).toBe('no-agents');
    expect(store.engine.evaluate(request({ kind: 'human' })).verdict).toBe('allow');

    // Fixing it takes effect again.
    rmSync(join(dir, 'extra.cedar'));
    writeFileSync(join(dir, 'main.cedar'), ALLOW_ALL);
    await waitFor('second reload', () => reloads[1]);
    expect(store.engine.evaluate(request({ kind: 'agent' })).rule).toBe('everyone');
  });

  it('reloads on demand and reports whether the new set took effect', async () => {
    const { dir, cleanup } = policyDir({ 'main.cedar': ALLOW_ALL });
    cleanups.push(cleanup);
    const store = await PolicyStore.open(dir, { pollMs: 60_000 });
    cleanups.push(() => store.close());
    writeFileSync(join(dir, 'main.cedar'), 'permit (principal, action, resource) when {');
    expect(await store.reload()).toBe(false);
    expect(store.engine.evaluate(request()).verdict).toBe('allow');
    writeFileSync(join(dir, 'main.cedar'), '@id("v2") permit (principal, action, resource);');
    expect(await store.reload()).toBe(true);
    expect(store.engine.evaluate(request()).rule).toBe('v2');
  });

  it('notices changes by polling alone', async () => {
    const { dir, cleanup } = policyDir({ 'main.cedar': ALLOW_ALL });
    cleanups.push(cleanup);
    const reloads: PolicySet[] = [];
    const store = await PolicyStore.open(dir, { watch: false, pollMs: 50, onReload: (s) => reloads.push(s) });
    cleanups.push(() => store.close());
    writeFileSync(join(dir, 'more.cedar'), '@id("later") forbid (principal, action, resource);');
    await waitFor('poll reload', () => reloads[0]);
    expect(store.engine.evaluate(request()).rule).toBe('later');
  });

  it('refuses to open on a set that does not load', async () => {
    const { dir, cleanup } = policyDir({ 'main.cedar': 'permit (principal, action, resource) when { nope };' });
    cleanups.push(cleanup);
    await expect(PolicyStore.open(dir)).rejects.toMatchObject({ code: 'ERR_POLICY_PARSE' });
  });
});
