/**
 * Secret detectors: private keys, cloud keys, service tokens, JWTs, connection-string passwords
 * and generic `key=value` assignments. Ids are the policy vocabulary (`@mask("private-keys")`).
 *
 * Why our own patterns: secretlint's rule packages (@secretlint/secretlint-rule-aws, -privatekey,
 * -github, -slack, …) keep their expressions as locals inside an async whole-file `create()`
 * and export only the rule creator, and gitleaks is Go; none offers patterns a streaming matcher
 * could reuse, let alone the prefix form that deciding what to hold back needs. The shapes below
 * follow the formats the vendors document (and the gitleaks/secretlint rules for the same ones).
 *
 * Trust boundary: untrusted output text; all quantifiers are bounded. Known limits: a secret is
 * only recognised in these textual shapes (not base64-wrapped, reversed, or split by cursor
 * motion); deliberate exfiltration is the judge's job (`secrets.read`), masking is the second line.
 */
import { isPlaceholder, looksRandom } from './checks.js';
import type { Detector } from './detector.js';
import { openings, regexDetector } from './detector.js';

const PEM_LABEL = '(?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?';
/** Twice a PGP private key block with a few subkeys; see docs/masking.md for what happens past it. */
export const BLOCK_CAP = 64 * 1024;

const privateKeys: Detector[] = [
  regexDetector({
    id: 'private-keys',
    rule: 'pem-private-key',
    anchors: { literals: ['-----BEGIN '], back: 0 },
    re: new RegExp(`-----BEGIN ${PEM_LABEL}-----`, 'gd'),
    maxLength: 64,
    partial: openings(['-----BEGIN '], '[A-Z0-9 ]{0,48}-{0,4}'),
    block: { end: new RegExp(`-----END ${PEM_LABEL}-----`, 'g'), cap: BLOCK_CAP },
  }),
];

const SEP = `["']?[ \\t]*[:=][ \\t]*["']?`;
const AWS_ID = '(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}';
const AWS_SECRET_NAMES = ['aws_secret_access_key', 'awssecretaccesskey', 'secret_access_key', 'secretaccesskey', 'aws_secret_key'];
const AWS_SESSION_NAMES = ['aws_session_token', 'awssessiontoken', 'session_token', 'sessiontoken'];

const cloudKeys: Detector[] = [
  regexDetector({
    id: 'cloud-keys',
    rule: 'aws-access-key-id-and-secret',
    anchors: { literals: ['AKIA', 'ASIA', 'ABIA', 'ACCA'], back: 0 },
    re: new RegExp(`(?<![A-Za-z0-9])${AWS_ID}(?:[ \\t,;:|"'=]{1,8}[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=]))?(?![A-Za-z0-9])`, 'gd'),
    maxLength: 70,
    partial: `(?<![A-Za-z0-9])${openings(['AKIA', 'ASIA', 'ABIA', 'ACCA'], `[A-Z0-9]{0,16}(?:[ \\t,;:|"'=]{1,8}[A-Za-z0-9/+]{0,40})?`)}`,
    strong: '(?:AKIA|ASIA)[A-Z0-9]{4}',
    stop: '[^A-Za-z0-9/+=]',
  }),
  regexDetector({
    id: 'cloud-keys',
    rule: 'aws-secret-access-key',
    keywords: { stems: ['secret'], back: 4 },
    re: new RegExp(`(?<![A-Za-z0-9])(?:${AWS_SECRET_NAMES.join('|')})${SEP}([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`, 'gdi'),
    group: 1,
    flags: 'i',
    maxLength: 80,
    partial: openings(AWS_SECRET_NAMES, `${SEP.replace(/\[:=\]/, '(?:[:=]')}[A-Za-z0-9/+]{0,40})?`),
    strong: `[a-z_]+${SEP}[A-Za-z0-9/+]`,
    stop: '[^A-Za-z0-9/+=]',
  }),
  regexDetector({
    id: 'cloud-keys',
    rule: 'aws-session-token',
    keywords: { stems: ['session'], back: 4 },
    tail: 'A-Za-z0-9_"\' \\t:=/+',
    re: new RegExp(`(?<![A-Za-z0-9])(?:${AWS_SESSION_NAMES.join('|')})${SEP}([A-Za-z0-9/+=]{100,2048})`, 'gdi'),
    group: 1,
    flags: 'i',
    maxLength: 2100,
    partial: openings(AWS_SESSION_NAMES, `${SEP.replace(/\[:=\]/, '(?:[:=]')}[A-Za-z0-9/+=]{0,2048})?`),
    strong: `[a-z_]+${SEP}[A-Za-z0-9/+]`,
    stop: '[^A-Za-z0-9/+=]',
  }),
  regexDetector({
    id: 'cloud-keys',
    rule: 'gcp-service-account-private-key',
    anchors: { literals: ['"private_key"'], back: 0 },
    re: /"private_key"[ \t]{0,8}:[ \t]{0,8}(")/dg,
    group: 1,
    maxLength: 40,
    partial: openings(['"private_key"'], '[ \\t]{0,8}(?::[ \\t]{0,8})?'),
    // The JSON string ends at the first quote not escaped by a backslash.
    block: { end: /(?<!\\)"/g, cap: BLOCK_CAP },
  }),
  regexDetector({
    id: 'cloud-keys',
    rule: 'gcp-private-key-id',
    anchors: { literals: ['"private_key_id"'], back: 0 },
    re: /"private_key_id"[ \t]{0,8}:[ \t]{0,8}"([0-9a-f]{40})"/dg,
    group: 1,
    maxLength: 80,
    partial: openings(['"private_key_id"'], '[ \\t]{0,8}(?::[ \\t]{0,8}(?:"[0-9a-f]{0,40})?)?'),
    strong: '"private_key_id"[ \\t]*:[ \\t]*"[0-9a-f]',
    stop: '[^0-9a-f]',
  }),
  regexDetector({
    id: 'cloud-keys',
    rule: 'azure-storage-account-key',
    keywords: { stems: ['accountkey'], back: 0 },
    re: /AccountKey=([A-Za-z0-9+/]{20,100}={0,2})/dgi,
    group: 1,
    flags: 'i',
    maxLength: 120,
    partial: openings(['accountkey='], '[A-Za-z0-9+/]{0,100}={0,2}'),
    strong: 'accountkey=[A-Za-z0-9+/]',
    stop: '[^A-Za-z0-9+/=]',
  }),
  regexDetector({
    id: 'cloud-keys',
    rule: 'azure-sas-signature',
    anchors: { literals: ['sig='], back: 1 },
    re: /[?&]sig=([A-Za-z0-9%+/=]{20,200})/dg,
    group: 1,
    maxLength: 210,
    partial: openings(['?sig=', '&sig='], '[A-Za-z0-9%+/=]{0,200}'),
    strong: '[?&]sig=[A-Za-z0-9%+/]',
    stop: '[^A-Za-z0-9%+/=]',
  }),
  regexDetector({
    id: 'cloud-keys',
    rule: 'azure-client-secret',
    anchors: { literals: ['Q~'], back: 4, run: 'A-Za-z0-9_~.' },
    re: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/dg,
    maxLength: 40,
    partial: '(?<![A-Za-z0-9_~.-])(?:[A-Za-z0-9_~.]{1,3}|[A-Za-z0-9_~.]{3}[0-9](?:Q(?:~[A-Za-z0-9_~.-]{0,34})?)?)',
    strong: '[A-Za-z0-9_~.]{3}[0-9]Q~',
    stop: '[^A-Za-z0-9_~.\\-]',
  }),
];

const GH = ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'];
const tokens: Detector[] = [
  regexDetector({
    id: 'tokens',
    rule: 'service-token',
    anchors: { literals: [...GH, 'github_pat_', 'glpat-', 'xox', '_live_'], back: 2, run: 'A-Za-z0-9_\\-' },
    tail: 'A-Za-z0-9_\\-',
    re: /(?<![A-Za-z0-9_-])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,242}|glpat-[A-Za-z0-9_-]{20,64}|xox[abprs]-[A-Za-z0-9-]{10,250}|[sr]k_live_[A-Za-z0-9]{20,247})(?![A-Za-z0-9_-])/dg,
    maxLength: 260,
    partial: `(?<![A-Za-z0-9_-])(?:${openings(GH, '[A-Za-z0-9]{0,251}')}|${openings(['github_pat_'], '[A-Za-z0-9_]{0,242}')}|${openings(['glpat-'], '[A-Za-z0-9_-]{0,64}')}|${openings(['xoxa-', 'xoxb-', 'xoxp-', 'xoxr-', 'xoxs-'], '[A-Za-z0-9-]{0,250}')}|${openings(['sk_live_', 'rk_live_'], '[A-Za-z0-9]{0,247}')})`,
    strong: '(?:gh[pousr]_|github_pat_|glpat-|xox[abprs]-|[sr]k_live_)[A-Za-z0-9]',
    stop: '[^A-Za-z0-9_\\-]',
  }),
  regexDetector({
    id: 'tokens',
    rule: 'slack-webhook',
    anchors: { literals: ['https://hooks.slack.com/'], back: 0 },
    tail: 'A-Za-z0-9/_:.\\-',
    re: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]{10,200}/dg,
    maxLength: 240,
    partial: openings(['https://hooks.slack.com/'], '[A-Za-z0-9/_-]{0,215}'),
    strong: 'https://hooks\\.slack\\.com/[a-z]+/[A-Za-z0-9]',
    stop: '[^A-Za-z0-9/_\\-]',
  }),
  regexDetector({
    id: 'tokens',
    rule: 'bearer',
    keywords: { stems: ['bearer'], back: 0 },
    tail: 'A-Za-z0-9._~+/= \\t\\-',
    re: /(?<![A-Za-z0-9])bearer[ \t]{1,8}([A-Za-z0-9._~+/-]{16,4096}=*)/dgi,
    group: 1,
    flags: 'i',
    maxLength: 4120,
    partial: openings(['bearer'], '(?:[ \\t]{1,8}[A-Za-z0-9._~+/-]{0,4096}=*)?'),
    strong: 'bearer[ \\t]+[A-Za-z0-9._~+/-]{8}',
    stop: '[^A-Za-z0-9._~+/=\\-]',
  }),
];

const jwt: Detector[] = [
  regexDetector({
    id: 'jwt',
    rule: 'jwt',
    anchors: { literals: ['eyJ'], back: 0, run: 'A-Za-z0-9_\\-' },
    tail: 'A-Za-z0-9_.\\-',
    re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,4096}\.[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{0,4096}(?![A-Za-z0-9_-])/dg,
    maxLength: 16400,
    partial: `(?<![A-Za-z0-9_-])${openings(['eyJ'], '[A-Za-z0-9_-]{0,4096}(?:\\.[A-Za-z0-9_-]{0,8192}(?:\\.[A-Za-z0-9_-]{0,4096})?)?')}`,
    strong: 'eyJ[A-Za-z0-9_-]{8}',
    stop: '[^A-Za-z0-9_.\\-]',
  }),
];

const URL_USER = `[^\\s:/@"'<>]{0,256}`;
const URL_PASS = `[^\\s/@"'<>]`;
const CONN_KEYS = ['password', 'pwd'];
const connectionStrings: Detector[] = [
  regexDetector({
    id: 'connection-strings',
    rule: 'url-password',
    anchors: { literals: ['://'], back: 31, run: 'A-Za-z0-9+.\\-' },
    tail: `^\\s@"'<>`,
    re: new RegExp(`(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,30}://${URL_USER}:(${URL_PASS}{1,256})@`, 'dg'),
    group: 1,
    maxLength: 560,
    partial: `(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}(?::(?:/(?:/(?:${URL_USER}(?::${URL_PASS}{0,256})?)?)?)?)?`,
    strong: `[A-Za-z][A-Za-z0-9+.-]*://${URL_USER}:${URL_PASS}`,
    stop: `[\\s/@"'<>]`,
  }),
  regexDetector({
    id: 'connection-strings',
    rule: 'connection-string-password',
    keywords: { stems: ['pass', 'pwd'], back: 0 },
    // A value with spaces only when a `;` ends it (ADO/ODBC); otherwise up to whitespace. Such a
    // value never spans a mask tag: the tagged text (often a multi-line key, which the value could
    // not span) was judged on its own, so masking masked output must not mask more
    // (`password=$DB_PASSWORD [masked:private-keys] ;`).
    re: /(?<![A-Za-z0-9_])(?:password|pwd)[ \t]{0,8}=[ \t]{0,8}((?:(?!\[masked:)[^;"'\r\n]){1,256}(?=;)|[^;\s"']{1,256})/dgi,
    group: 1,
    flags: 'i',
    validate: (m) => !isPlaceholder((m[1] ?? '').trim()),
    maxLength: 280,
    partial: `(?<![A-Za-z0-9_])${openings(CONN_KEYS, `[ \\t]{0,8}(?:=[ \\t]{0,8}[^;"'\\r\\n]{0,256})?`)}`,
    strong: '(?:password|pwd)[ \\t]*=[ \\t]*[^;"\'\\r\\n]',
    stop: `[;"'\\r\\n]`,
  }),
];

const PASSWORD_KEYS = ['password', 'passwd', 'pwd'];
const GENERIC_KEYS = ['secret', 'token', 'api_key', 'api-key', 'apikey', 'access_token', 'access-token', 'auth_token', 'client_secret', 'private_key'];
const VALUE = `[^\\s"'\`,;&]`;
const assignments: Detector[] = [
  regexDetector({
    id: 'assignments',
    rule: 'key-value',
    keywords: { stems: ['pass', 'pwd', 'secret', 'token', 'api', 'private'], back: 7 },
    re: new RegExp(`(?<![A-Za-z0-9])(${[...PASSWORD_KEYS, ...GENERIC_KEYS].join('|')})${SEP}(${VALUE}{1,256})`, 'dgi'),
    group: 2,
    flags: 'i',
    // Password keys mask any real value (short and common passwords are the ones that get
    // guessed); generic keys mask only random-looking values. See docs/masking.md.
    validate: (m) => {
      const value = m[2] ?? '';
      return PASSWORD_KEYS.includes((m[1] ?? '').toLowerCase()) ? !isPlaceholder(value) : looksRandom(value);
    },
    maxLength: 300,
    partial: `(?<![A-Za-z0-9])${openings([...PASSWORD_KEYS, ...GENERIC_KEYS], `${SEP.replace(/\[:=\]/, '(?:[:=]')}${VALUE}{0,256})?`)}`,
    strong: `(?:${PASSWORD_KEYS.join('|')})${SEP}${VALUE}`,
    stop: `[\\s"'\`,;&]`,
  }),
];

export const SECRET_DETECTORS: Readonly<Record<string, readonly Detector[]>> = {
  'private-keys': privateKeys,
  'cloud-keys': cloudKeys,
  tokens,
  jwt,
  'connection-strings': connectionStrings,
  assignments,
};
