/**
 * core: the shared vocabulary of bulwark (identity, intents, decisions, errors, time), and the
 * plumbing of its WebAssembly kernels.
 *
 * Trust boundary: none; these are plain types and pure helpers imported by every other module.
 * Known limits: nothing here validates input; producers (auth/, intent/, policy/) guarantee it.
 */
export * from './errors.js';
export * from './clock.js';
export * from './identity.js';
export * from './intent.js';
export * from './decision.js';
export * from './wasm.js';
export * from './secret.js';
export * from './html.js';
export * from './body.js';
