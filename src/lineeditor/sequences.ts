/**
 * What a complete input sequence means: key names, CSI and SS3 finals, UTF-8 lead bytes. Pure
 * tables; the byte state machine that finds the sequences is in keys.ts.
 */
export type KeyName =
  | 'left' | 'right' | 'up' | 'down' | 'home' | 'end' | 'delete'
  | 'wordLeft' | 'wordRight' | 'killWordForward' | 'killWordBack';

export type Key =
  | { readonly t: 'text'; readonly s: string }
  | { readonly t: 'ctrl'; readonly c: number }
  | { readonly t: 'key'; readonly name: KeyName }
  | { readonly t: 'paste'; readonly s: string }
  | { readonly t: 'esc' }
  | { readonly t: 'ignored' };

/** Meaning of `ESC [ params final` (params already bounded); 'pasteStart' for `ESC [ 200 ~`. */
export function csiKey(params: string, final: string): Key | 'pasteStart' {
  if (final === '~') {
    if (params === '200') return 'pasteStart';
    const first = params.split(';')[0];
    if (first === '1' || first === '7') return { t: 'key', name: 'home' };
    if (first === '4' || first === '8') return { t: 'key', name: 'end' };
    if (first === '3') return { t: 'key', name: 'delete' };
    return { t: 'ignored' };
  }
  if (!/^(1(;\d{1,3})?)?$/.test(params)) return { t: 'ignored' };
  // Modifier 3 (Alt), 5 (Ctrl) or 9 (Meta) on ←/→ moves by word.
  const mod = params.startsWith('1;') ? Number(params.slice(2)) : 1;
  const word = mod === 3 || mod === 5 || mod === 9;
  const name = CSI_FINALS[final];
  if (!name) return { t: 'ignored' };
  if (word && name === 'left') return { t: 'key', name: 'wordLeft' };
  if (word && name === 'right') return { t: 'key', name: 'wordRight' };
  return { t: 'key', name };
}

const CSI_FINALS: Record<string, KeyName> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end' };

/** Meaning of `ESC O final`. */
export function ss3Key(final: number): Key {
  const name = CSI_FINALS[String.fromCharCode(final)];
  return name ? { t: 'key', name } : { t: 'ignored' };
}

/** Expected continuation count and the allowed range of the first continuation byte. */
export function utf8Lead(b: number): { n: number; lo: number; hi: number } | null {
  if (b >= 0xc2 && b <= 0xdf) return { n: 1, lo: 0x80, hi: 0xbf };
  if (b === 0xe0) return { n: 2, lo: 0xa0, hi: 0xbf };
  if (b === 0xed) return { n: 2, lo: 0x80, hi: 0x9f };
  if (b >= 0xe1 && b <= 0xef) return { n: 2, lo: 0x80, hi: 0xbf };
  if (b === 0xf0) return { n: 3, lo: 0x90, hi: 0xbf };
  if (b >= 0xf1 && b <= 0xf3) return { n: 3, lo: 0x80, hi: 0xbf };
  if (b === 0xf4) return { n: 3, lo: 0x80, hi: 0x8f };
  return null;
}

