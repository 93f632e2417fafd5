/** The stable `code` a call throws, or undefined when it does not throw: tests assert on codes. */
export function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}
