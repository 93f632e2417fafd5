import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { PolicyError, homeRelative, loadPolicySet } from './index.js';
import { splitPolicies } from './source.js';
import { policyDir } from './testkit.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

async function loadError(files: Record<string, string>): Promise<PolicyError> {
  const { dir, cleanup } = policyDir(files);
  cleanups.push(cleanup);
  try {
    await loadPolicySet(dir);
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
  throw new Error('expected the policy set to be rejected');
}

const OK = 'permit (principal, action, resource);\n';

describe('loadPolicySet rejects', () => {
  it('a schema violation, naming file, line and column', async () => {
    const text = `${OK}// a comment with a multi-byte — dash\n@id("typo")\nforbid (principal, action, resource)\nwhen { principal.kynd == "agent" };\n`;
    const err = await loadError({ 'a.cedar': OK, 'b.cedar': text });
    expect(err.code).toBe('ERR_POLICY_VALIDATION');
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatchObject({ file: 'b.cedar', line: 5, column: 8 });
    expect(err.message).toContain('b.cedar:5:8');
    expect(err.message).toContain('kynd');
  });

  it('a context attribute the schema does not have', async () => {
    const err = await loadError({ 'a.cedar': `${OK}forbid (principal, action, resource) when { context.tablez.contains("x") };` });
    expect(err.code).toBe('ERR_POLICY_VALIDATION');
    expect(err.problems[0]).toMatchObject({ file: 'a.cedar', line: 2 });
  });

  it('a syntax error, naming the line', async () => {
    const err = await loadError({ 'ok.cedar': OK, 'bad.cedar': `${OK}\nforbid (principal, action, resource) when { 1 + };\n` });
    expect(err.code).toBe('ERR_POLICY_PARSE');
    expect(err.problems[0]).toMatchObject({ file: 'bad.cedar', line: 3 });
  });

  it('every broken file at once', async () => {
    const err = await loadError({ 'a.cedar': 'permit (principal, action, resource) when { x };', 'b.cedar': 'forbid (principal,' });
    expect(err.problems.map((p) => p.file).sort()).toEqual(['a.cedar', 'b.cedar']);
  });

  it('bad annotations', async () => {
    const cases: [string, RegExp][] = [
      ['@decision("maybe") forbid (principal, action, resource);', /must be "deny" or "review"/],
      ['@decision("review") permit (principal, action, resource);', /forbid policies only/],
      ['@mask("x") forbid (principal, action, resource);', /permit policies only/],
      ['@id("") permit (principal, action, resource);', /must not be empty/],
      ['@id("same") permit (principal, action, resource);\n@id("same") forbid (principal, action, resource);', /already used at a\.cedar:1/],
    ];
    for (const [text, message] of cases) {
      const err = await loadError({ 'a.cedar': text });
      expect(err.code, text).toBe('ERR_POLICY_ANNOTATION');
      expect(err.message).toMatch(message);
    }
  });

  it('a schema that asks for more than bulwark provides (checked once, since evaluation skips the schema)', async () => {
    const { dir, cleanup } = policyDir({ 'a.cedar': OK });
    cleanups.push(cleanup);
    const schemaFile = join(dir, 'schema.cedarschema');
    const original = readFileSync(schemaFile, 'utf8');
    writeFileSync(schemaFile, original.replace('command: String,', 'command: String,\n    ticket: String,'));
    await expect(loadPolicySet(dir)).rejects.toThrow(/does not fit the schema.*ticket/s);
    writeFileSync(schemaFile, original.replace('kind: String,', 'kind: String,\n    team: String,'));
    await expect(loadPolicySet(dir)).rejects.toMatchObject({ code: 'ERR_POLICY_SCHEMA_INVALID' });
    writeFileSync(schemaFile, original.replace('action approve appliesTo', 'action approval appliesTo'));
    await expect(loadPolicySet(dir)).rejects.toThrow(/does not declare action "approve"/);
  });

  it('templates', async () => {
    const err = await loadError({ 'a.cedar': 'permit (principal == ?principal, action, resource);' });
    expect(err.code).toBe('ERR_POLICY_TEMPLATE');
  });

  it('a directory without policies, schema, or at all', async () => {
    expect((await loadError({})).code).toBe('ERR_POLICY_EMPTY');
    const bare = mkdtempSync(join(tmpdir(), 'bulwark-policy-'));
    cleanups.push(() => rmSync(bare, { recursive: true, force: true }));
    writeFileSync(join(bare, 'a.cedar'), OK);
    await expect(loadPolicySet(bare)).rejects.toMatchObject({ code: 'ERR_POLICY_SCHEMA_MISSING' });
    await expect(loadPolicySet(join(bare, 'nope'))).rejects.toMatchObject({ code: 'ERR_POLICY_DIR_UNREADABLE' });
    writeFileSync(join(bare, 'schema.cedarschema'), 'namespace X { entity ; }');
    await expect(loadPolicySet(bare)).rejects.toMatchObject({ code: 'ERR_POLICY_SCHEMA_INVALID' });
  });
});

describe('loadPolicySet accepts', () => {
  it('policies with comments, strings holding ; and // and records where each starts', async () => {
    const { dir, cleanup } = policyDir({
      'z.cedar': `// first; not a policy\n@reason("a; b // c \\" d")\npermit (principal, action, resource)\nwhen { context.command like "*;*" };\n\n  @id("two") forbid (principal, action, resource) when { context.command == "x" };`,
    });
    cleanups.push(cleanup);
    const set = await loadPolicySet(dir);
    expect(set.policies.map((p) => [p.rule, p.line, p.reason])).toEqual([
      ['z.cedar:2', 2, 'a; b // c " d'],
      ['two', 6, undefined],
    ]);
  });
});

describe('splitPolicies', () => {
  it('agrees with the policy count for generated policy files', () => {
    const str = fc.stringMatching(/^[a-z;/ "\\]{0,8}$/).map((s) => JSON.stringify(s));
    const policy = fc.tuple(fc.option(str), str).map(([reason, s]) =>
      `${reason === null ? '' : `@reason(${reason})\n`}forbid (principal, action, resource) when { context.command == ${s} }; // ; "\n`,
    );
    fc.assert(
      fc.property(fc.array(policy, { maxLength: 6 }), (policies) => {
        const text = policies.join('\n');
        const chunks = splitPolicies(text);
        expect(chunks).toHaveLength(policies.length);
        for (const c of chunks) expect(text.slice(c.start, c.start + c.text.length)).toBe(c.text);
      }),
    );
  });
});

describe('homeRelative', () => {
  it('rewrites home prefixes and leaves other paths alone', () => {
    expect(homeRelative('~/.ssh/id_ed25519')).toBe('~/.ssh/id_ed25519');
    expect(homeRelative('/home/ana//.aws/credentials')).toBe('~/.aws/credentials');
    expect(homeRelative('${HOME}/.kube/config')).toBe('~/.kube/config');
    expect(homeRelative('/root')).toBe('~/');
    expect(homeRelative('/homely/x')).toBeUndefined();
    expect(homeRelative('/etc/shadow')).toBeUndefined();
  });
});
