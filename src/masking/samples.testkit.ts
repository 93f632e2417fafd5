/**
 * Test data: one sample per detector rule (fake credentials of the real shapes, built from a
 * seeded generator so no real secret is committed), with the parts that must never appear in
 * output, and lookalikes that must pass unchanged.
 */
import { luhnValid } from './checks.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function randomChars(n: number, alphabet: string, seed: number): string {
  const r = rng(seed);
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(r() * alphabet.length)];
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const URLSAFE = `${ALNUM}_-`;
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function pem(label: string, lines: number, seed: number, nl = '\r\n'): { text: string; body: string } {
  const body = Array.from({ length: lines }, (_, i) => randomChars(64, B64, seed + i)).join(nl);
  return { text: `-----BEGIN ${label}-----${nl}${body}${nl}-----END ${label}-----`, body };
}

export interface Sample {
  readonly name: string;
  readonly id: string;
  /** The text as printed (the secret with its surrounding syntax). */
  readonly text: string;
  /** Substrings that must never appear in output. */
  readonly parts: readonly string[];
}

function slices(secret: string, size = 12): string[] {
  const out: string[] = [];
  for (let i = 0; i + size <= secret.length; i += size) out.push(secret.slice(i, i + size));
  return out.length > 0 ? out : [secret];
}

const rsa = pem('RSA PRIVATE KEY', 6, 1);
const ossh = pem('OPENSSH PRIVATE KEY', 5, 2, '\n');
const ec = pem('EC PRIVATE KEY', 3, 3);
const enc = pem('ENCRYPTED PRIVATE KEY', 4, 4);
const pgp = pem('PGP PRIVATE KEY BLOCK', 5, 5);
const awsId = `AKIA${randomChars(16, UPPER, 6)}`;
const awsSecret = randomChars(40, B64, 7);
const gcpKey = pem('PRIVATE KEY', 4, 8, '\\n');
const gcpId = randomChars(40, '0123456789abcdef', 9);
const azureKey = `${randomChars(86, B64, 10)}==`;
const sig = `${randomChars(30, ALNUM, 11)}%2B${randomChars(10, ALNUM, 12)}%3D`;
const azureSecret = `${randomChars(3, ALNUM, 13)}8Q~${randomChars(34, ALNUM, 14)}`;
const ghp = `ghp_${randomChars(36, ALNUM, 15)}`;
const pat = `github_pat_${randomChars(22, ALNUM, 16)}_${randomChars(59, ALNUM, 17)}`;
const glpat = `glpat-${randomChars(20, URLSAFE, 18)}`;
const xoxb = `xoxb-${randomChars(12, '0123456789', 19)}-${randomChars(24, ALNUM, 20)}`;
const hook = `https://hooks.slack.com/services/T${randomChars(8, UPPER, 21)}/B${randomChars(8, UPPER, 22)}/${randomChars(24, ALNUM, 23)}`;
const stripe = `sk_live_${randomChars(24, ALNUM, 24)}`;
const bearer = randomChars(40, `${ALNUM}._-`, 25);
const jwt = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ${randomChars(60, URLSAFE, 26)}.${randomChars(43, URLSAFE, 27)}`;
const urlPw = randomChars(14, ALNUM, 28);
const adoPw = `Pa5s ${randomChars(10, ALNUM, 29)}`;
const dbPw = 'hunter2x';
const apiKey = randomChars(24, ALNUM, 30);

export const SAMPLES: readonly Sample[] = [
  { name: 'RSA PEM', id: 'private-keys', text: rsa.text, parts: ['BEGIN RSA', ...slices(rsa.body.replace(/\r\n/g, ''))] },
  { name: 'OpenSSH PEM', id: 'private-keys', text: ossh.text, parts: slices(ossh.body.replace(/\n/g, '')) },
  { name: 'EC PEM', id: 'private-keys', text: ec.text, parts: slices(ec.body.replace(/\r\n/g, '')) },
  { name: 'encrypted PKCS#8', id: 'private-keys', text: enc.text, parts: slices(enc.body.replace(/\r\n/g, '')) },
  { name: 'PGP private block', id: 'private-keys', text: pgp.text, parts: slices(pgp.body.replace(/\r\n/g, '')) },
  { name: 'AWS access key id', id: 'cloud-keys', text: awsId, parts: [awsId, awsId.slice(4)] },
  { name: 'AWS secret by name', id: 'cloud-keys', text: `aws_secret_access_key = ${awsSecret}`, parts: slices(awsSecret, 10) },
  { name: 'AWS id then secret (CSV)', id: 'cloud-keys', text: `${awsId},${awsSecret}`, parts: [awsId.slice(4), ...slices(awsSecret, 10)] },
  { name: 'GCP service account JSON', id: 'cloud-keys', text: `{"type": "service_account", "private_key_id": "${gcpId}", "private_key": "${gcpKey.text}\\n", "client_id": "1"}`, parts: [gcpId.slice(0, 20), ...slices(gcpKey.body.replace(/\\n/g, ''))] },
  { name: 'Azure storage AccountKey', id: 'cloud-keys', text: `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${azureKey};EndpointSuffix=core.windows.net`, parts: slices(azureKey) },
  { name: 'Azure SAS sig', id: 'cloud-keys', text: `https://acme.blob.core.windows.net/c/f?sv=2022-11-02&sp=r&sig=${sig}`, parts: slices(sig, 10) },
  { name: 'Azure client secret', id: 'cloud-keys', text: `AZURE_CLIENT_SECRET ${azureSecret}`, parts: slices(azureSecret, 10) },
  { name: 'GitHub ghp_', id: 'tokens', text: ghp, parts: slices(ghp.slice(4), 10) },
  { name: 'GitHub fine-grained PAT', id: 'tokens', text: pat, parts: slices(pat.slice(11), 10) },
  { name: 'GitLab glpat-', id: 'tokens', text: glpat, parts: slices(glpat.slice(6), 10) },
  { name: 'Slack xoxb-', id: 'tokens', text: xoxb, parts: slices(xoxb.slice(5), 10) },
  { name: 'Slack webhook', id: 'tokens', text: hook, parts: [hook.slice(-24)] },
  { name: 'Stripe sk_live_', id: 'tokens', text: stripe, parts: slices(stripe.slice(8), 10) },
  { name: 'Bearer', id: 'tokens', text: `Authorization: Bearer ${bearer}`, parts: slices(bearer, 10) },
  { name: 'JWT', id: 'jwt', text: jwt, parts: [jwt, ...slices(jwt.slice(37), 12)] },
  { name: 'URL password', id: 'connection-strings', text: `postgres://app:${urlPw}@db.internal:5432/app`, parts: [urlPw] },
  { name: 'ADO Password=', id: 'connection-strings', text: `Server=db;Database=app;User Id=sa;Password=${adoPw};`, parts: [adoPw, adoPw.slice(5)] },
  { name: 'DB_PASSWORD=', id: 'assignments', text: `DB_PASSWORD=${dbPw}`, parts: [dbPw] },
  { name: 'api_key: "…"', id: 'assignments', text: `api_key: "${apiKey}"`, parts: slices(apiKey, 10) },
  { name: 'email', id: 'emails', text: 'alice.smith+ops@corp.example.com', parts: ['alice.smith', 'corp.example'] },
  { name: 'Visa with spaces', id: 'payment-cards', text: '4111 1111 1111 1111', parts: ['4111 1111', '1111 1111'] },
  { name: 'Mastercard with dashes', id: 'payment-cards', text: '5500-0000-0000-0004', parts: ['5500-0000', '0000-0004'] },
  { name: 'Amex', id: 'payment-cards', text: '378282246310005', parts: ['3782822', '46310005'] },
  { name: 'IBAN grouped', id: 'ibans', text: 'DE89 3704 0044 0532 0130 00', parts: ['DE89 3704', '0532 0130'] },
  { name: 'IBAN compact', id: 'ibans', text: 'GB82WEST12345698765432', parts: ['GB82WEST', '12345698765432'] },
];

/** Text that looks like a secret but is not one: passes unchanged with every detector on. */
export const LOOKALIKES: readonly string[] = [
  'AKIA1234', // too short
  `XAKIA${randomChars(16, UPPER, 40)}Q`, // embedded in a longer word
  '4111 1111 1111 1112', // Luhn-invalid
  '1700000000000000000', // timestamp: cards start with 2-6
  'DE88 3704 0044 0532 0130 00', // IBAN with a wrong check digit
  'password=\r\n', // empty value (`password= x` is ini style `password = x`: masked)
  'password:\r\nnext line',
  'password=********', // already masked
  'password=$DB_PASSWORD', // a variable reference
  'token=abc123', // generic key, short value
  'token=aaaaaaaaaaaaaaaa', // generic key, no entropy
  'secret=changeme', // generic key: 8 chars but 2.75 bits/char
  '-----BEGIN CERTIFICATE-----',
  '-----BEGIN PUBLIC KEY-----',
  'alice@prod-db:~$ ',
  'ghp_short',
  'Bearer tokens expire',
  'https://example.com/path?q=1',
  'eyJhbGciOiJIUzI1NiJ9 alone',
];

export const isLuhn = luhnValid;
