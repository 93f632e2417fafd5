/**
 * In-memory storage for the development IdP (oidc-provider's adapter interface). Written here
 * rather than using oidc-provider's built-in one so the banner is not preceded by its "you MUST
 * change it" warning: losing sessions on restart is exactly what a loopback demo IdP wants.
 *
 * Trust boundary: none beyond the process. Known limits: entries expire lazily on read; one
 * process only; bounded at 10 000 entries (oldest dropped) so a flood cannot exhaust memory.
 */
type Payload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string; consumed?: number };

const MAX_ENTRIES = 10_000;
const store = new Map<string, { payload: Payload; expiresAt: number | undefined }>();

function put(key: string, payload: Payload, expiresIn: number | undefined): void {
  store.delete(key);
  store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
  while (store.size > MAX_ENTRIES) store.delete(store.keys().next().value as string);
}

function get(key: string): Payload | undefined {
  const e = store.get(key);
  if (e === undefined) return undefined;
  if (e.expiresAt !== undefined && e.expiresAt <= Date.now()) {
    store.delete(key);
    return undefined;
  }
  return e.payload;
}

export class DevIdpStore {
  constructor(private readonly model: string) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
    put(this.key(id), payload, expiresIn);
    if (payload.grantId !== undefined) {
      const list = (get(`grant:${payload.grantId}`)?.['keys'] as string[] | undefined) ?? [];
      put(`grant:${payload.grantId}`, { keys: [...list, this.key(id)] }, expiresIn);
    }
    if (payload.userCode !== undefined) put(`userCode:${payload.userCode}`, { id }, expiresIn);
    if (payload.uid !== undefined) put(`uid:${payload.uid}`, { id }, expiresIn);
  }

  async find(id: string): Promise<Payload | undefined> {
    return get(this.key(id));
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    const ref = get(`userCode:${userCode}`);
    return typeof ref?.['id'] === 'string' ? this.find(ref['id']) : undefined;
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    const ref = get(`uid:${uid}`);
    return typeof ref?.['id'] === 'string' ? this.find(ref['id']) : undefined;
  }

  async consume(id: string): Promise<void> {
    const p = get(this.key(id));
    if (p !== undefined) p.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const k of (get(`grant:${grantId}`)?.['keys'] as string[] | undefined) ?? []) store.delete(k);
    store.delete(`grant:${grantId}`);
  }
}
