/**
 * Terminal replay engine, independent of any tty: it is fed events (more may arrive while
 * following a live recording), schedules "o" output by recording time scaled by speed with idle
 * gaps capped, and supports pause and jumps to the next/previous marker. A backward jump resets
 * the terminal (RIS) and re-renders output up to the marker, since a terminal cannot rewind.
 */
import type { CastEvent } from './format.js';

export interface PlayerOptions {
  speed?: number;
  /** Seconds; longer pauses in the recording are shortened to this. */
  idleLimit?: number;
  write: (text: string) => void;
  /** Called when playback passes or jumps to a marker (index among markers, label). */
  onMarker?: (index: number, total: number, label: string) => void;
}

const RESET = '\u001bc';
const MAX_SLEEP_MS = 100;

export class CastPlayer {
  #events: CastEvent[] = [];
  #eff: number[] = [];
  #markers: number[] = [];
  #idx = 0;
  #speed: number;
  #idle: number;
  #anchorVt = 0;
  #anchorWall = performance.now();
  #paused = false;
  #pausedVt = 0;
  #finished = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #done: Promise<void>;
  #resolve: () => void = () => undefined;

  constructor(private readonly opts: PlayerOptions) {
    this.#speed = opts.speed !== undefined && opts.speed > 0 ? opts.speed : 1;
    this.#idle = opts.idleLimit !== undefined && opts.idleLimit > 0 ? opts.idleLimit : Number.POSITIVE_INFINITY;
    this.#done = new Promise((r) => (this.#resolve = r));
  }

  get paused(): boolean {
    return this.#paused;
  }

  get markerCount(): number {
    return this.#markers.length;
  }

  /** Adds events (in order). If playback was waiting at the end, it resumes from them now. */
  push(events: readonly CastEvent[]): void {
    if (events.length === 0) return;
    const waiting = this.#idx === this.#events.length;
    for (const ev of events) {
      const prevT = this.#events.at(-1)?.[0] ?? 0;
      const prevEff = this.#eff.at(-1) ?? 0;
      this.#eff.push(prevEff + Math.min(Math.max(0, ev[0] - prevT), this.#idle));
      if (ev[1] === 'm') this.#markers.push(this.#events.length);
      this.#events.push(ev);
    }
    // A live recording: do not make the viewer wait out time that already passed while idle.
    if (waiting && this.#idx > 0) this.#anchor(this.#eff[this.#idx] ?? 0);
    this.#schedule(0);
  }

  /** No more events will come; play() resolves once everything is shown. */
  finish(): void {
    this.#finished = true;
    this.#schedule(0);
  }

  play(): Promise<void> {
    this.#anchor(0);
    this.#schedule(0);
    return this.#done;
  }

  quit(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#resolve();
  }

  togglePause(): void {
    if (this.#paused) {
      this.#paused = false;
      this.#anchor(this.#pausedVt);
      this.#schedule(0);
    } else {
      this.#pausedVt = this.#vt();
      this.#paused = true;
    }
  }

  nextMarker(): void {
    const m = this.#markers.find((i) => i >= this.#idx);
    if (m === undefined) return;
    this.#emitThrough(m);
    this.#jumpedTo(m);
  }

  /** To the previous marker; pressed right after a marker, to the one before it (or the start). */
  prevMarker(): void {
    const passed = this.#markers.filter((i) => i < this.#idx);
    let target = passed.at(-1);
    if (target !== undefined && this.#vt() - (this.#eff[target] ?? 0) < 1) {
      target = passed.at(-2);
    }
    this.opts.write(RESET);
    this.#idx = 0;
    if (target === undefined) {
      this.#jumpedTo(-1);
      return;
    }
    this.#emitThrough(target);
    this.#jumpedTo(target);
  }

  #jumpedTo(i: number): void {
    const vt = i < 0 ? 0 : (this.#eff[i] ?? 0);
    if (this.#paused) this.#pausedVt = vt;
    this.#anchor(vt);
    this.#schedule(0);
  }

  #anchor(vt: number): void {
    this.#anchorVt = vt;
    this.#anchorWall = performance.now();
  }

  #vt(): number {
    if (this.#paused) return this.#pausedVt;
    return this.#anchorVt + ((performance.now() - this.#anchorWall) / 1000) * this.#speed;
  }

  #emit(i: number): void {
    const ev = this.#events[i];
    if (ev === undefined) return;
    if (ev[1] === 'o') this.opts.write(ev[2]);
    else if (ev[1] === 'm') this.opts.onMarker?.(this.#markers.indexOf(i), this.#markers.length, ev[2]);
  }

  #emitThrough(last: number): void {
    while (this.#idx <= last && this.#idx < this.#events.length) {
      this.#emit(this.#idx);
      this.#idx += 1;
    }
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), ms);
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#stopped || this.#paused) return;
    const vt = this.#vt();
    while (this.#idx < this.#events.length && (this.#eff[this.#idx] ?? 0) <= vt) {
      this.#emit(this.#idx);
      this.#idx += 1;
    }
    if (this.#idx < this.#events.length) {
      const wait = (((this.#eff[this.#idx] ?? 0) - vt) / this.#speed) * 1000;
      this.#schedule(Math.min(Math.max(wait, 0), MAX_SLEEP_MS));
    } else if (this.#finished) {
      this.#stopped = true;
      this.#resolve();
    }
    // Otherwise: at the end of a live recording; push() or finish() reschedules.
  }
}
