import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTENT_CATEGORIES, type IntentCategory } from '../core/intent.js';
import { PolicyEngine, loadPolicySet, type PolicyRequest } from './index.js';
import { SHIPPED_POLICIES, intent, policyDir, request } from './testkit.js';

const BLOCKING: readonly IntentCategory[] = INTENT_CATEGORIES;

describe('shipped policies', () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    engine = new PolicyEngine(await loadPolicySet(SHIPPED_POLICIES));
  });

  it('allows an agent a line without intents, naming the permit', () => {
    const d = engine.evaluate(request({ kind: 'agent' }));
    expect(d).toMatchObject({ verdict: 'allow', rule: 'agents.exec', obligations: [] });
  });

  it.each(BLOCKING.map((c) => [c]))('denies an agent %s on development and production', (category) => {
    for (const environment of ['development', 'production']) {
      const d = engine.evaluate(request({ kind: 'agent', environment, intents: [intent(category)] }));
      expect(d.verdict).toBe('deny');
      expect(d.rule).toMatch(/^agents\./);
      expect(d.intents.map((i) => i.category)).toEqual([category]);
    }
  });

  it.each([['destroy.filesystem'], ['destroy.database'], ['destroy.cloud'], ['bulk.delete'], ['exfiltration'], ['evasion']] as const)(
    'holds a human %s for review',
    (category) => {
      const d = engine.evaluate(request({ kind: 'human', intents: [intent(category)] }));
      expect(d.verdict).toBe('review');
      expect(d.reason).not.toBe('');
    },
  );

  it('denies a human audit tampering, even when approved', () => {
    for (const approved of [false, true]) {
      const d = engine.evaluate(request({ kind: 'human', approved, intents: [intent('audit.tamper')] }));
      expect(d).toMatchObject({ verdict: 'deny', rule: 'humans.audit-tamper' });
    }
  });

  it('is stricter on production than on staging for humans', () => {
    for (const category of ['privilege.escalation', 'persistence', 'system.disrupt', 'secrets.read'] as const) {
      expect(engine.evaluate(request({ kind: 'human', environment: 'staging', intents: [intent(category)] })).verdict).toBe('allow');
      expect(engine.evaluate(request({ kind: 'human', environment: 'production', intents: [intent(category)] }))).toMatchObject({
        verdict: 'review',
        rule: 'humans.production',
      });
      // An environment nobody listed as non-production is production.
      expect(engine.evaluate(request({ kind: 'human', environment: 'prod-eu', intents: [intent(category)] })).verdict).toBe('review');
    }
  });

  it('lets an approval lift a review but not a deny', () => {
    const destroy = [intent('destroy.filesystem')];
    expect(engine.evaluate(request({ kind: 'human', intents: destroy, approved: true }))).toMatchObject({ verdict: 'allow', rule: 'humans.exec' });
    expect(engine.evaluate(request({ kind: 'agent', intents: destroy, approved: true }))).toMatchObject({ verdict: 'deny', rule: 'agents.destroy' });
  });

  it('gives deny precedence over review when both apply', () => {
    const d = engine.evaluate(request({ kind: 'human', intents: [intent('destroy.filesystem'), intent('audit.tamper')] }));
    expect(d).toMatchObject({ verdict: 'deny', rule: 'humans.audit-tamper' });
  });

  it('lets the dba group truncate in staging without review, and nothing more', () => {
    const truncate = [intent('destroy.database', { sqlEffect: 'truncate', tables: ['carts'] })];
    const dba = { kind: 'human', groups: ['dba'] };
    expect(engine.evaluate(request({ ...dba, environment: 'staging', intents: truncate })).verdict).toBe('allow');
    expect(engine.evaluate(request({ ...dba, environment: 'production', intents: truncate })).verdict).toBe('review');
    expect(engine.evaluate(request({ kind: 'human', environment: 'staging', intents: truncate })).verdict).toBe('review');
    const drop = [intent('destroy.database', { sqlEffect: 'drop', tables: ['carts'] })];
    expect(engine.evaluate(request({ ...dba, environment: 'staging', intents: drop })).verdict).toBe('review');
    const plusEvasion = [...truncate, intent('evasion')];
    expect(engine.evaluate(request({ ...dba, environment: 'staging', intents: plusEvasion })).verdict).toBe('review');
  });

  it('refuses every spelling of ~/.aws/credentials to everyone', () => {
    for (const path of ['~/.aws/credentials', '/root/.aws/credentials', '/home/ana/.aws/credentials', '$HOME/.aws/credentials', '~ana/.aws/credentials']) {
      const d = engine.evaluate(request({ kind: 'human', intents: [intent('secrets.read', { paths: [path] })] }));
      expect(d, path).toMatchObject({ verdict: 'deny', rule: 'site.no-aws-credentials' });
    }
    const other = engine.evaluate(request({ kind: 'human', intents: [intent('secrets.read', { paths: ['/srv/app/.aws/credentials.example'] })] }));
    expect(other.verdict).toBe('allow');
  });

  it('governs connection capabilities by kind', () => {
    for (const action of ['login', 'shell'] as const) {
      expect(engine.evaluate(request({ action, kind: 'agent' })).verdict).toBe('allow');
      expect(engine.evaluate(request({ action, kind: 'human' })).verdict).toBe('allow');
    }
    for (const action of ['sftp', 'port-forward'] as const) {
      expect(engine.evaluate(request({ action, kind: 'agent' }))).toMatchObject({ verdict: 'deny', rule: 'access.agent-transfer' });
      expect(engine.evaluate(request({ action, kind: 'human' })).verdict).toBe('allow');
    }
  });

  it('lets only human approvers approve', () => {
    expect(engine.evaluate(request({ action: 'approve', kind: 'human', groups: ['approvers'] })).verdict).toBe('allow');
    expect(engine.evaluate(request({ action: 'approve', kind: 'human', groups: ['dba'] }))).toMatchObject({ verdict: 'deny', rule: 'bulwark.default-deny' });
    expect(engine.evaluate(request({ action: 'approve', kind: 'agent', groups: ['approvers'] }))).toMatchObject({ verdict: 'deny', rule: 'approvals.no-agents' });
  });

  it('keeps agents out of interactive programs and humans on production behind review', () => {
    expect(engine.evaluate(request({ action: 'interactive', kind: 'agent' }))).toMatchObject({ verdict: 'deny', rule: 'agents.no-interactive' });
    expect(engine.evaluate(request({ action: 'interactive', kind: 'human', environment: 'development' })).verdict).toBe('allow');
    expect(engine.evaluate(request({ action: 'interactive', kind: 'human', environment: 'production' }))).toMatchObject({
      verdict: 'review',
      rule: 'humans.interactive-production',
    });
  });
});

describe('fail closed', () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    engine = new PolicyEngine(await loadPolicySet(SHIPPED_POLICIES));
  });

  it('denies an unknown principal kind before Cedar runs', () => {
    for (const kind of ['robot', '', 'Human']) {
      const d = engine.evaluate(request({ kind }));
      expect(d).toMatchObject({ verdict: 'deny', rule: 'bulwark.fail-closed' });
      expect(d.reason).toContain('principal kind');
    }
  });

  it('denies requests with missing or mistyped fields', () => {
    const base = request({ kind: 'human' });
    const broken: unknown[] = [
      { ...base, principal: { kind: 'human', groups: [] } },
      { ...base, target: { name: 'x', labels: [] } },
      { ...base, context: { now: Date.now(), mode: 'exec' } },
      { ...base, intents: [{ category: 'destroy.everything', details: {} }] },
      { ...base, intents: [intent('secrets.read', { paths: [42 as unknown as string] })] },
      { ...base, action: 'teleport' },
      null,
    ];
    for (const req of broken) {
      const d = engine.evaluate(req as PolicyRequest);
      expect(d.verdict, JSON.stringify(req)).toBe('deny');
      expect(d.rule).toBe('bulwark.fail-closed');
    }
  });

  it('denies everything when no policy set ever loaded', () => {
    const d = PolicyEngine.unloaded('policies/ is missing').evaluate(request({ kind: 'human', action: 'login' }));
    expect(d).toMatchObject({ verdict: 'deny', rule: 'bulwark.fail-closed' });
    expect(d.reason).toContain('policies/ is missing');
  });
});

describe('decision mapping', () => {
  const cleanups: (() => void)[] = [];
  afterAll(() => cleanups.forEach((c) => c()));
  async function engineOf(text: string): Promise<PolicyEngine> {
    const { dir, cleanup } = policyDir({ 'p.cedar': text });
    cleanups.push(cleanup);
    return new PolicyEngine(await loadPolicySet(dir));
  }

  it('is a default deny when no permit applies', async () => {
    const e = await engineOf('@id("only-humans") permit (principal, action, resource) when { principal.kind == "human" };');
    expect(e.evaluate(request({ kind: 'agent' }))).toMatchObject({ verdict: 'deny', rule: 'bulwark.default-deny' });
    expect(e.evaluate(request({ kind: 'human' }))).toMatchObject({ verdict: 'allow', rule: 'only-humans', reason: 'allowed by policy only-humans' });
  });

  it('turns a review forbid with no permit behind it into a deny (an approval could not help)', async () => {
    const e = await engineOf('@decision("review") forbid (principal, action, resource);');
    expect(e.evaluate(request({ kind: 'human' }))).toMatchObject({ verdict: 'deny', rule: 'bulwark.default-deny' });
  });

  it('picks the first deny in load order and uses file:line when there is no @id', async () => {
    const e = await engineOf(`permit (principal, action, resource);
@decision("review") @id("r") forbid (principal, action, resource);
forbid (principal, action, resource) when { context.categories.contains("evasion") };
@reason("second deny") @id("d2") forbid (principal, action, resource) when { context.categories.contains("evasion") };`);
    expect(e.evaluate(request({ kind: 'human' }))).toMatchObject({ verdict: 'review', rule: 'r' });
    const d = e.evaluate(request({ kind: 'human', intents: [intent('evasion')] }));
    expect(d).toMatchObject({ verdict: 'deny', rule: 'p.cedar:3', reason: 'refused by policy p.cedar:3' });
  });

  it('collects obligations from every satisfied permit, including for a review', async () => {
    const e = await engineOf(`@id("a") @mask("private-keys,cloud-keys") permit (principal, action, resource);
@id("b") @mask("cloud-keys") @notify("secops") permit (principal, action, resource) when { principal.kind == "human" };
@id("hold") @decision("review") forbid (principal, action, resource) when { context.categories.contains("exfiltration") };`);
    const allow = e.evaluate(request({ kind: 'human' }));
    expect(allow.rule).toBe('a');
    expect(allow.obligations).toEqual([
      { kind: 'mask', value: 'private-keys' },
      { kind: 'mask', value: 'cloud-keys' },
      { kind: 'notify', value: 'secops' },
    ]);
    expect(e.evaluate(request({ kind: 'agent' })).obligations).toHaveLength(2);
    const review = e.evaluate(request({ kind: 'agent', intents: [intent('exfiltration')] }));
    expect(review).toMatchObject({ verdict: 'review', rule: 'hold' });
    expect(review.obligations).toHaveLength(2);
  });

  it('lifts review forbids by itself when approved, whether or not the policy tests context.approved', async () => {
    const e = await engineOf(`permit (principal, action, resource);
@id("hold") @decision("review") forbid (principal, action, resource) when { context.categories.contains("exfiltration") };
@id("hold-unless") @decision("review") forbid (principal, action, resource) when { context.categories.contains("evasion") } unless { context.approved };`);
    for (const category of ['exfiltration', 'evasion'] as const) {
      expect(e.evaluate(request({ intents: [intent(category)] })).verdict).toBe('review');
      expect(e.evaluate(request({ intents: [intent(category)], approved: true })).verdict).toBe('allow');
    }
  });

  it('denies when a policy condition errors at evaluation (Cedar would skip the forbid)', async () => {
    // Long overflow is a runtime error the validator cannot rule out.
    const e = await engineOf(`permit (principal, action, resource);
@id("overflow") forbid (principal, action, resource) when { context.time * 9223372036854775807 > 0 };`);
    const d = e.evaluate(request({ kind: 'human' }));
    expect(d).toMatchObject({ verdict: 'deny', rule: 'bulwark.fail-closed' });
    expect(d.reason).toContain('overflow');
  });

  it('exposes time, hour and the rest of the context to policies', async () => {
    const e = await engineOf(`permit (principal, action, resource);
@id("night") forbid (principal, action, resource) when { context.hourUtc < 6 && context.time > 0 };
@id("labelled") forbid (principal, action, resource) when { resource.labels.contains("frozen") && context.mode == "interactive" };
@id("host") forbid (principal, action, resource) when { context.hosts.contains("203.0.113.9") && context.binaries.contains("nc") };`);
    expect(e.evaluate(request({ now: Date.UTC(2026, 0, 5, 3) })).rule).toBe('night');
    expect(e.evaluate(request({ now: Date.UTC(2026, 0, 5, 12) })).verdict).toBe('allow');
    expect(e.evaluate(request({ labels: ['frozen'], mode: 'interactive' })).rule).toBe('labelled');
    expect(e.evaluate(request({ labels: ['frozen'], mode: 'exec' })).verdict).toBe('allow');
    const nc = intent('exfiltration', { binaries: ['nc'], hosts: ['203.0.113.9'] });
    expect(e.evaluate(request({ intents: [nc] })).rule).toBe('host');
  });
});

describe('interactive programs for agents', () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    engine = new PolicyEngine(await loadPolicySet(SHIPPED_POLICIES));
  });

  it('allows only pagers, and only without a terminal', () => {
    const ask = (interactive: string[], tty?: boolean) => engine.evaluate(request({ action: 'interactive', kind: 'agent', interactive, ...(tty !== undefined ? { tty } : {}) }));
    expect(ask(['man'], false)).toMatchObject({ verdict: 'allow', rule: 'agents.pager' });
    expect(ask(['less', 'man'], false).verdict).toBe('allow');
    expect(ask(['man'], true)).toMatchObject({ verdict: 'deny', rule: 'agents.no-interactive' });
    // The caller did not say whether a terminal is attached: assume it is.
    expect(ask(['man']).verdict).toBe('deny');
    expect(ask(['man', 'bash'], false).verdict).toBe('deny');
    expect(ask([], false).verdict).toBe('deny');
  });
});

describe('decision cache', () => {
  const cleanups: (() => void)[] = [];
  afterAll(() => cleanups.forEach((c) => c()));

  it('knows which context attributes the shipped policies read', async () => {
    const set = await loadPolicySet(SHIPPED_POLICIES);
    expect(set.contextAttributes).toEqual(['categories', 'homePaths', 'interactive', 'paths', 'sqlEffects', 'tty']);
  });

  it('never serves one request the outcome of another that differs in what policies read', async () => {
    const engine = new PolicyEngine(await loadPolicySet(SHIPPED_POLICIES));
    const variants = [
      request({ kind: 'human', intents: [intent('secrets.read', { paths: ['/srv/.env'] })] }),
      request({ kind: 'human', intents: [intent('secrets.read', { paths: ['/root/.aws/credentials'] })] }),
      request({ kind: 'human', groups: ['dba'], environment: 'staging', intents: [intent('destroy.database', { sqlEffect: 'truncate' })] }),
      request({ kind: 'human', groups: [], environment: 'staging', intents: [intent('destroy.database', { sqlEffect: 'truncate' })] }),
      request({ kind: 'human', groups: ['dba'], environment: 'staging', intents: [intent('destroy.database', { sqlEffect: 'drop' })] }),
      request({ kind: 'human', groups: ['dba'], environment: 'staging', intents: [intent('destroy.database', { sqlEffect: 'truncate' })], approved: true }),
    ];
    const first = variants.map((r) => engine.evaluate(r));
    expect(first.map((d) => d.verdict)).toEqual(['allow', 'deny', 'allow', 'review', 'review', 'allow']);
    // Again, in reverse, now from the cache: same answers.
    const again = [...variants].reverse().map((r) => engine.evaluate(r)).reverse();
    expect(again).toEqual(first);
    // The fresh engine (no cache) agrees too.
    const fresh = new PolicyEngine(await loadPolicySet(SHIPPED_POLICIES));
    expect(variants.map((r) => fresh.evaluate(r))).toEqual(first);
  });

  it('keys on the whole context when a policy uses it as a whole, and on time when a policy reads it', async () => {
    const { dir, cleanup } = policyDir({
      'p.cedar': `permit (principal, action, resource);
@id("whole") forbid (principal, action, resource) when { context == context && context.command == "bad" };
@id("late") forbid (principal, action, resource) when { context.hourUtc >= 22 };`,
    });
    cleanups.push(cleanup);
    const set = await loadPolicySet(dir);
    expect(set.contextAttributes).toBe('all');
    const engine = new PolicyEngine(set);
    expect(engine.evaluate(request({ command: 'good' })).verdict).toBe('allow');
    expect(engine.evaluate(request({ command: 'bad' })).rule).toBe('whole');
    expect(engine.evaluate(request({ command: 'good', now: Date.UTC(2026, 0, 5, 23) })).rule).toBe('late');
  });
});
