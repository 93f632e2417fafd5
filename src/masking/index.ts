/**
 * masking: a streaming transform that masks secrets and PII in session output before it reaches
 * the client or the recording, as selected by policy obligations (`@mask("private-keys,tokens")`
 * → Decision.obligations `{kind: 'mask', value: 'private-keys'}`, …). Pure: no I/O, no timers
 * (the session calls flush() on its own ~30 ms timer); imports only core.
 *
 * Detector ids (policy vocabulary): private-keys, cloud-keys, tokens, jwt, connection-strings,
 * assignments, emails, payment-cards, ibans; groups: secrets (the first six), pii (the last
 * three), all. An unknown id enables every detector (fail closed) and is reported in `unknown`.
 *
 * Trust boundary: input is untrusted output of the target's shell and programs; output is what
 * the client and the recording get. Never throws; an internal fault releases the held bytes
 * masked. Known limits: masking is a second line behind the judge (agents are denied
 * `secrets.read`): a secret printed in another shape (base64-wrapped, split by cursor motion,
 * inside an OSC payload such as an OSC 8 hyperlink) is not recognised; a partial match held when
 * the flush timer fires is released in clear unless it is already distinctive; only ASCII text is
 * ever masked (every detected format is ASCII), so terminal widths stay exact; at most ~20 KiB
 * is held (a JWT prefix plus an unfinished escape sequence); `secrets` costs about 0.6 ns/byte
 * on bulk text and 3.0-3.3 on colour-heavy logs (bench/masking.bench.ts), on the session's
 * thread. See docs/masking.md for each pattern, the entropy rule and the bounds.
 */
import type { Obligation } from '../core/index.js';
import type { Detector } from './detector.js';
import type { Masker, Replacement } from './masker.js';
import { createMaskerWith } from './masker.js';
import { PII_DETECTORS } from './pii.js';
import { SECRET_DETECTORS } from './secrets.js';

export type { Masker, MaskerStats, Replacement } from './masker.js';
export { createMaskerWith } from './masker.js';
export type { Detector, Finding } from './detector.js';

const ALL: Readonly<Record<string, readonly Detector[]>> = { ...SECRET_DETECTORS, ...PII_DETECTORS };

/** Every detector id a policy may name in `@mask(…)`. */
export const DETECTOR_IDS: readonly string[] = Object.keys(ALL);

/** Names that stand for several ids. */
export const DETECTOR_GROUPS: Readonly<Record<string, readonly string[]>> = {
  secrets: Object.keys(SECRET_DETECTORS),
  pii: Object.keys(PII_DETECTORS),
  all: DETECTOR_IDS,
};

export interface MaskerOptions {
  /** Detector ids or groups, e.g. from detectorsFromObligations(decision.obligations). */
  readonly detectors: readonly string[];
  /** true: replacements keep the display width (one `*` per character); false: `[masked:ID]`. */
  readonly terminal: boolean;
  readonly replacement?: Replacement;
}

export interface ResolvedDetectors {
  readonly ids: readonly string[];
  /** Names that are neither ids nor groups; any of them turns on every detector. */
  readonly unknown: readonly string[];
}

/** Expands groups, trims and lower-cases names; unknown names fail closed to `all`. */
export function resolveDetectors(names: readonly string[]): ResolvedDetectors {
  const ids = new Set<string>();
  const unknown: string[] = [];
  for (const raw of names) {
    for (const part of String(raw).split(',')) {
      const name = part.trim().toLowerCase();
      if (name === '') continue;
      const group = DETECTOR_GROUPS[name];
      if (group) group.forEach((g) => ids.add(g));
      else if (name in ALL) ids.add(name);
      else unknown.push(name);
    }
  }
  return { ids: unknown.length > 0 ? [...DETECTOR_IDS] : DETECTOR_IDS.filter((id) => ids.has(id)), unknown };
}

/** The detector names a decision's obligations ask for (`kind: 'mask'`). */
export function detectorsFromObligations(obligations: readonly Obligation[]): string[] {
  return obligations.filter((o) => o.kind === 'mask').map((o) => o.value);
}

/**
 * A masker for one output stream. With no detectors it passes bytes through unchanged (still
 * never holding anything), so the session can always put it in the path.
 */
export function createMasker(options: MaskerOptions): Masker & { readonly detectors: ResolvedDetectors } {
  const resolved = resolveDetectors(Array.isArray(options?.detectors) ? options.detectors : ['all']);
  const detectors = resolved.ids.flatMap((id) => ALL[id] ?? []);
  const masker = createMaskerWith(detectors, options?.terminal === true, options?.replacement ?? {});
  return Object.assign(masker, { detectors: resolved });
}
