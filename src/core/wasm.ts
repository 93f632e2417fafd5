/**
 * A small WebAssembly kernel (the recording's JSON escaper, the masker's literal search) and its
 * memory, seen from JavaScript as one Buffer. Kernels are this project's own .wat sources,
 * assembled into base64 modules by `npm run build:wasm`.
 *
 * Trust boundary: none of its own; each kernel's module states what it reads and writes.
 * Known limits: memory only grows (to the largest input a kernel was given) and the view must
 * be fetched again after reserve(), which replaces it.
 */

/** The parts of the WebAssembly global used here (this project's lib settings omit its types). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

export interface KernelMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
const PAGE = 64 * 1024;

/** Compiles a module once; each Kernel made from it has a memory of its own. */
export function compileKernel(base64: string): object {
  return new wasm.Module(Buffer.from(base64, 'base64'));
}

export class Kernel<E extends { memory: KernelMemory }> {
  readonly exports: E;
  #mem: Buffer;

  constructor(module: object) {
    this.exports = new wasm.Instance(module).exports as E;
    this.#mem = this.#view();
  }

  /** The whole memory; replaced (the old view detached) when reserve() grows it. */
  get mem(): Buffer {
    return this.#mem;
  }

  /** Grows the memory to at least `bytes`. */
  reserve(bytes: number): void {
    const have = this.exports.memory.buffer.byteLength;
    if (bytes <= have) return;
    this.exports.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.#mem = this.#view();
  }

  #view(): Buffer {
    const b = this.exports.memory.buffer;
    return Buffer.from(b, 0, b.byteLength);
  }
}
