/**
 * Keystroke decoding: bytes from the SSH channel → key events. A byte-level state machine, so a
 * UTF-8 character, an escape sequence or a paste terminator split across any number of feed()
 * calls decodes exactly as if it had arrived whole (chunking independence).
 *
 * Rules: invalid UTF-8 is dropped; unknown CSI/SS3/OSC sequences are consumed whole and reported
 * as `ignored`, never as text; inside a bracketed paste, \r and \r\n become \n, \t and \n are kept
 * and every other control byte (including ESC not starting the terminator) is dropped.
 */
import { sanitizeText } from './text.js';

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

type State = 'ground' | 'esc' | 'csi' | 'ss3' | 'osc' | 'oscEsc';

const PASTE_END = [0x1b, 0x5b, 0x32, 0x30, 0x31, 0x7e]; // ESC [ 2 0 1 ~
const MAX_PARAMS = 32;

/** Expected continuation count and the allowed range of the first continuation byte. */
function utf8Lead(b: number): { n: number; lo: number; hi: number } | null {
  if (b >= 0xc2 && b <= 0xdf) return { n: 1, lo: 0x80, hi: 0xbf };
  if (b === 0xe0) return { n: 2, lo: 0xa0, hi: 0xbf };
  if (b === 0xed) return { n: 2, lo: 0x80, hi: 0x9f };
  if (b >= 0xe1 && b <= 0xef) return { n: 2, lo: 0x80, hi: 0xbf };
  if (b === 0xf0) return { n: 3, lo: 0x90, hi: 0xbf };
  if (b >= 0xf1 && b <= 0xf3) return { n: 3, lo: 0x80, hi: 0xbf };
  if (b === 0xf4) return { n: 3, lo: 0x80, hi: 0x8f };
  return null;
}

export class KeyDecoder {
  private state: State = 'ground';
  private params = '';
  private paramsOverflow = false;
  private inPaste = false;
  private pasteMatch = 0;
  private pasteText = '';
  private afterCR = false;
  // UTF-8 assembly, shared by typed text and paste content.
  private cp = 0;
  private need = 0;
  private seen = 0;
  private firstLo = 0x80;
  private firstHi = 0xbf;
  private text = '';
  private sink: (k: Key) => boolean = () => false;
  private stopped = false;

  /** True while an ESC has arrived whose meaning depends on the next byte. */
  get pendingEscape(): boolean {
    return this.state === 'esc' && !this.inPaste;
  }

  get pasting(): boolean {
    return this.inPaste;
  }

  /**
   * Decode `input`, handing each key to `sink` in order. When the sink returns true (the editor
   * submitted or hit EOF) decoding stops right after that key's last byte; the number of bytes
   * consumed is returned so the caller can keep the rest as type-ahead.
   */
  decode(input: Uint8Array, sink: (k: Key) => boolean): number {
    this.sink = sink;
    this.stopped = false;
    let i = 0;
    while (i < input.length && !this.stopped) this.byte(input[i++] ?? 0);
    if (!this.stopped) {
      this.flushText();
      this.flushPaste();
    }
    return i;
  }

  /** Resolve a pending lone ESC (the session calls this after a short idle timeout). */
  flushEscape(sink: (k: Key) => boolean): void {
    if (this.pendingEscape) {
      this.sink = sink;
      this.state = 'ground';
      this.emit({ t: 'esc' });
    }
  }

  private byte(b: number): void {
    if (this.inPaste) return this.pasteByte(b);
    if (this.need > 0) {
      if (this.continues(b)) return;
      // fall through: the broken sequence was dropped, b is decoded afresh
    }
    switch (this.state) {
      case 'ground':
        return this.ground(b);
      case 'esc':
        return this.escape(b);
      case 'csi':
        return this.csi(b);
      case 'ss3':
        this.state = 'ground';
        if (b >= 0x40 && b <= 0x7e) return this.ss3(b);
        this.emit({ t: 'ignored' });
        return this.byte(b);
      case 'osc':
        if (b === 0x07) this.state = 'ground';
        else if (b === 0x1b) this.state = 'oscEsc';
        return;
      case 'oscEsc':
        this.state = b === 0x5c ? 'ground' : 'osc';
        return;
    }
  }

  /** Consume b as a UTF-8 continuation byte if it is one; true when consumed. */
  private continues(b: number): boolean {
    const lo = this.seen === 0 ? this.firstLo : 0x80;
    const hi = this.seen === 0 ? this.firstHi : 0xbf;
    if (b < lo || b > hi) {
      this.need = 0;
      return false;
    }
    this.cp = (this.cp << 6) | (b & 0x3f);
    this.seen += 1;
    if (this.seen === this.need) {
      this.need = 0;
      const ch = sanitizeText(String.fromCodePoint(this.cp), { newlines: false, tabs: false });
      if (this.inPaste) this.pasteText += ch;
      else this.text += ch;
    }
    return true;
  }

  private startUtf8(b: number): void {
    const lead = utf8Lead(b);
    if (!lead) return; // stray continuation or invalid lead byte: dropped
    this.need = lead.n;
    this.seen = 0;
    this.firstLo = lead.lo;
    this.firstHi = lead.hi;
    this.cp = b & (lead.n === 1 ? 0x1f : lead.n === 2 ? 0x0f : 0x07);
  }

  private ground(b: number): void {
    if (b >= 0x20 && b < 0x7f) {
      this.afterCR = false;
      this.text += String.fromCharCode(b);
      return;
    }
    if (b >= 0x80) {
      this.afterCR = false;
      return this.startUtf8(b);
    }
    if (b === 0x1b) {
      this.afterCR = false;
      this.state = 'esc';
      return;
    }
    // A terminal sending CR LF for Enter means one Enter, not two.
    if (b === 0x0a && this.afterCR) {
      this.afterCR = false;
      return;
    }
    this.afterCR = b === 0x0d;
    this.emit({ t: 'ctrl', c: b });
  }

  private escape(b: number): void {
    this.state = 'ground';
    if (b === 0x5b) {
      this.state = 'csi';
      this.params = '';
      this.paramsOverflow = false;
      return;
    }
    if (b === 0x4f) {
      this.state = 'ss3';
      return;
    }
    if (b === 0x5d) {
      this.state = 'osc';
      return;
    }
    if (b === 0x1b) {
      this.emit({ t: 'esc' });
      this.state = 'esc';
      return;
    }
    if (b === 0x7f || b === 0x08) return this.emit({ t: 'key', name: 'killWordBack' });
    if (b === 0x62 || b === 0x42) return this.emit({ t: 'key', name: 'wordLeft' });
    if (b === 0x66 || b === 0x46) return this.emit({ t: 'key', name: 'wordRight' });
    if (b === 0x64 || b === 0x44) return this.emit({ t: 'key', name: 'killWordForward' });
    if (b >= 0x20 && b < 0x7f) return this.emit({ t: 'ignored' }); // other Alt-<key>
    // ESC followed by a control or a non-ASCII byte: the ESC was a lone Escape key.
    this.emit({ t: 'esc' });
    this.byte(b);
  }

  private csi(b: number): void {
    if (b >= 0x20 && b <= 0x3f) {
      if (this.params.length < MAX_PARAMS) this.params += String.fromCharCode(b);
      else this.paramsOverflow = true;
      return;
    }
    this.state = 'ground';
    if (b < 0x40 || b > 0x7e) {
      // Malformed: the sequence ends here, the byte is decoded afresh.
      this.emit({ t: 'ignored' });
      return this.byte(b);
    }
    if (this.paramsOverflow) return this.emit({ t: 'ignored' });
    const p = this.params;
    const final = String.fromCharCode(b);
    if (final === '~') {
      const first = p.split(';')[0];
      if (p === '200') {
        this.flushText();
        this.inPaste = true;
        this.pasteMatch = 0;
        this.afterCR = false;
        return;
      }
      if (first === '1' || first === '7') return this.emit({ t: 'key', name: 'home' });
      if (first === '4' || first === '8') return this.emit({ t: 'key', name: 'end' });
      if (first === '3') return this.emit({ t: 'key', name: 'delete' });
      return this.emit({ t: 'ignored' });
    }
    if (!/^(1(;\d{1,3})?)?$/.test(p)) return this.emit({ t: 'ignored' });
    const mod = p.startsWith('1;') ? Number(p.slice(2)) : 1;
    const word = mod === 3 || mod === 5 || mod === 9;
    switch (final) {
      case 'A':
        return this.emit({ t: 'key', name: 'up' });
      case 'B':
        return this.emit({ t: 'key', name: 'down' });
      case 'C':
        return this.emit({ t: 'key', name: word ? 'wordRight' : 'right' });
      case 'D':
        return this.emit({ t: 'key', name: word ? 'wordLeft' : 'left' });
      case 'H':
        return this.emit({ t: 'key', name: 'home' });
      case 'F':
        return this.emit({ t: 'key', name: 'end' });
      default:
        return this.emit({ t: 'ignored' });
    }
  }

  private ss3(b: number): void {
    const map: Record<number, KeyName> = {
      0x41: 'up', 0x42: 'down', 0x43: 'right', 0x44: 'left', 0x48: 'home', 0x46: 'end',
    };
    const name = map[b];
    this.emit(name ? { t: 'key', name } : { t: 'ignored' });
  }

  private pasteByte(b: number): void {
    if (b === PASTE_END[this.pasteMatch]) {
      this.pasteMatch += 1;
      if (this.pasteMatch === PASTE_END.length) {
        this.inPaste = false;
        this.pasteMatch = 0;
        this.need = 0;
        this.afterCR = false;
        this.flushPaste();
      }
      return;
    }
    if (this.pasteMatch > 0) {
      // Not the terminator after all: ESC is dropped, the rest was ordinary paste text.
      const partial = PASTE_END.slice(1, this.pasteMatch);
      this.pasteMatch = 0;
      for (const p of partial) this.pasteContent(p);
      return this.pasteByte(b);
    }
    this.pasteContent(b);
  }

  private pasteContent(b: number): void {
    if (this.need > 0 && this.continues(b)) return;
    if (b >= 0x80) {
      this.afterCR = false;
      return this.startUtf8(b);
    }
    if (b === 0x0a && this.afterCR) {
      this.afterCR = false;
      return;
    }
    this.afterCR = b === 0x0d;
    if (b === 0x0d || b === 0x0a) this.pasteText += '\n';
    else if (b === 0x09) this.pasteText += '\t';
    else if (b >= 0x20 && b < 0x7f) this.pasteText += String.fromCharCode(b);
    // every other control byte inside a paste is dropped
  }

  private emit(k: Key): void {
    this.flushText();
    if (this.sink(k)) this.stopped = true;
  }

  private flushText(): void {
    if (this.text) {
      const s = this.text;
      this.text = '';
      this.sink({ t: 'text', s });
    }
  }

  private flushPaste(): void {
    if (this.pasteText) {
      this.flushText();
      const s = this.pasteText;
      this.pasteText = '';
      this.sink({ t: 'paste', s });
    }
  }
}
