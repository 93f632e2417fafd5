/**
 * The recording key: ed25519, private half 0600 in the state directory, public half published as
 * PEM for auditors. A private key readable by others is refused rather than silently tightened,
 * because someone may already have copied it.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, open, readFile, stat, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordingKeyError, RecordingKeyPermsError } from './errors.js';

export const PRIVATE_KEY_FILE = 'recording-key.pem';
export const PUBLIC_KEY_FILE = 'recording-key.pub';

export interface RecordingKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
}

/** SHA256:<base64 without padding> of the SubjectPublicKeyInfo DER, like OpenSSH's style. */
export function keyFingerprint(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
}

export async function loadOrCreateRecordingKey(stateDir: string): Promise<RecordingKey> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, PRIVATE_KEY_FILE);
  let privateKey = await loadPrivate(file);
  if (privateKey === undefined) {
    const pair = generateKeyPairSync('ed25519');
    const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      // 'wx': if two processes race, exactly one key wins and the loser loads it.
      const fh = await open(file, 'wx', 0o600);
      try {
        await fh.writeFile(pem);
        await fh.sync();
      } finally {
        await fh.close();
      }
      privateKey = pair.privateKey;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new RecordingKeyError(file, 'cannot create', err);
      privateKey = await loadPrivate(file);
      if (privateKey === undefined) throw new RecordingKeyError(file, 'vanished while loading');
    }
  }
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await publish(join(stateDir, PUBLIC_KEY_FILE), publicKeyPem);
  return { privateKey, publicKey, publicKeyPem, fingerprint: keyFingerprint(publicKey) };
}

async function loadPrivate(file: string): Promise<KeyObject | undefined> {
  let st;
  try {
    st = await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RecordingKeyError(file, 'cannot stat', err);
  }
  if ((st.mode & 0o077) !== 0) throw new RecordingKeyPermsError(file, st.mode);
  let key: KeyObject;
  try {
    key = createPrivateKey(await readFile(file));
  } catch (err) {
    throw new RecordingKeyError(file, 'unreadable or not a private key', err);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new RecordingKeyError(file, `is ${key.asymmetricKeyType ?? 'unknown'}, expected ed25519`);
  }
  return key;
}

async function publish(file: string, pem: string): Promise<void> {
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === pem) return;
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, pem, { mode: 0o644 });
    await rename(tmp, file);
  } catch (err) {
    throw new RecordingKeyError(file, 'cannot publish the public key', err);
  }
}

/** Load an auditor's copy of the public key (PEM SPKI, or the private PEM in a pinch). */
export async function loadPublicKey(file: string): Promise<KeyObject> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new RecordingKeyError(file, 'cannot read', err);
  }
  try {
    const key = createPublicKey(text);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`is ${key.asymmetricKeyType ?? 'unknown'}`);
    return key;
  } catch (err) {
    throw new RecordingKeyError(file, 'not an ed25519 public key', err);
  }
}
