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
import { csiKey, ss3Key, utf8Lead } from './sequences.js';
import type { Key } from './sequences.js';

export type { Key, KeyName } from './sequences.js';

type State = 'ground' | 'esc' | 'csi' | 'ss3' | 'osc' | 'oscEsc';

const PASTE_END = [0x1b, 0x5b, 0x32, 0x30, 0x31, 0x7e]; // ESC [ 2 0 1 ~
const MAX_PARAMS = 32;
const MAX_OSC = 4096;

export class KeyDecoder {
  private state: State = 'ground';
  private params = '';
  private paramsOverflow = false;
  private oscLength = 0;
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
        if (b >= 0x40 && b <= 0x7e) return this.emit(ss3Key(b));
        this.emit({ t: 'ignored' });
        return this.byte(b);
      case 'osc':
        // BEL or ST ends it. Any other control, or an overlong string, also ends it and is
        // decoded afresh, so a stray Alt-] cannot swallow Enter or Ctrl-C.
        if (b === 0x07) this.state = 'ground';
        else if (b === 0x1b) this.state = 'oscEsc';
        else if (b < 0x20 || b === 0x7f || ++this.oscLength > MAX_OSC) {
          this.state = 'ground';
          this.emit({ t: 'ignored' });
          if (b < 0x20 || b === 0x7f) this.byte(b);
        }
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
      this.oscLength = 0;
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
    const k = csiKey(this.params, String.fromCharCode(b));
    if (k !== 'pasteStart') return this.emit(k);
    this.flushText();
    this.inPaste = true;
    this.pasteMatch = 0;
    this.afterCR = false;
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
