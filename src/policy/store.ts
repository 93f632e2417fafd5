/** Hot reload: the policy set in force changes only to a set that loaded and validated completely.
 * fs.watch reacts fast; a poll of file stamps catches what fs.watch misses (network filesystems,
 * editors that replace the directory entry, containers with bind mounts). */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PolicyEngine } from './engine.js';
import { loadPolicySet, SCHEMA_FILE, type PolicySet } from './policy-set.js';

export interface PolicyStoreOptions {
  /** Called after a new set took effect. */
  readonly onReload?: (set: PolicySet) => void;
  /** Called when a changed set was rejected; the previous set stays in force. */
  readonly onError?: (error: unknown) => void;
  /** Poll interval for the fallback, ms (default 1000). */
  readonly pollMs?: number;
  /** Quiet time after a change event before reloading, ms (default 50); editors write in bursts. */
  readonly debounceMs?: number;
  /** Use fs.watch besides the poll (default true); off, only the poll notices changes. */
  readonly watch?: boolean;
}

async function stampOf(dir: string): Promise<string> {
  try {
    const names = (await readdir(dir)).filter((n) => n.endsWith('.cedar') || n === SCHEMA_FILE).sort();
    const parts = await Promise.all(
      names.map(async (n) => {
        const s = await stat(join(dir, n)).catch(() => undefined);
        return s ? `${n}:${s.size}:${s.mtimeMs}:${s.ino}` : `${n}:gone`;
      }),
    );
    return parts.join('|');
  } catch (e) {
    return `unreadable:${String(e)}`;
  }
}

export class PolicyStore {
  readonly #dir: string;
  readonly #opts: PolicyStoreOptions;
  #engine: PolicyEngine;
  #stamp = '';
  #watcher: FSWatcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #reloading: Promise<boolean> | undefined;
  #again = false;
  #closed = false;

  private constructor(dir: string, set: PolicySet, opts: PolicyStoreOptions) {
    this.#dir = dir;
    this.#opts = opts;
    this.#engine = new PolicyEngine(set);
  }

  /** Loads the set (throws PolicyError when the first load fails: better to refuse to start than to
   * run on no policy) and starts watching. */
  static async open(dir: string, opts: PolicyStoreOptions = {}): Promise<PolicyStore> {
    const stamp = await stampOf(dir);
    const set = await loadPolicySet(dir);
    const store = new PolicyStore(dir, set, opts);
    store.#stamp = stamp;
    store.#startWatching();
    return store;
  }

  /** The engine of the set currently in force. Take it per request; it changes on reload. */
  get engine(): PolicyEngine {
    return this.#engine;
  }

  get policySet(): PolicySet | undefined {
    return this.#engine.policySet;
  }

  /** Reloads now (e.g. on SIGHUP). Resolves true when a new set took effect. */
  reload(): Promise<boolean> {
    if (this.#reloading) {
      this.#again = true;
      return this.#reloading;
    }
    this.#reloading = this.#load().finally(() => {
      this.#reloading = undefined;
      if (this.#again && !this.#closed) {
        this.#again = false;
        void this.reload();
      }
    });
    return this.#reloading;
  }

  close(): void {
    this.#closed = true;
    this.#watcher?.close();
    if (this.#poll) clearInterval(this.#poll);
    if (this.#debounce) clearTimeout(this.#debounce);
  }

  async #load(): Promise<boolean> {
    const stamp = await stampOf(this.#dir);
    try {
      const set = await loadPolicySet(this.#dir);
      if (this.#closed) return false;
      this.#engine = new PolicyEngine(set);
      this.#stamp = stamp;
      this.#opts.onReload?.(set);
      return true;
    } catch (e) {
      // Remember the stamp anyway so the poll does not report the same broken file every second.
      this.#stamp = stamp;
      if (!this.#closed) this.#opts.onError?.(e);
      return false;
    }
  }

  #schedule(): void {
    if (this.#closed) return;
    if (this.#debounce) clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.reload(), this.#opts.debounceMs ?? 50);
    this.#debounce.unref();
  }

  #startWatching(): void {
    try {
      if (this.#opts.watch === false) throw new Error('watching disabled');
      this.#watcher = watch(this.#dir, { persistent: false }, () => this.#schedule());
      this.#watcher.on('error', () => {
        // The poll below keeps working; nothing else to do.
        this.#watcher?.close();
        this.#watcher = undefined;
      });
    } catch {
      this.#watcher = undefined;
    }
    this.#poll = setInterval(() => {
      void stampOf(this.#dir).then((stamp) => {
        if (!this.#closed && stamp !== this.#stamp && !this.#reloading) this.#schedule();
      });
    }, this.#opts.pollMs ?? 1000);
    this.#poll.unref();
  }
}
