/**
 * lineeditor: bastion-owned line editing for guarded sessions, as a pure state machine over bytes
 * (no I/O, no timers). Keystroke bytes in → effects out: terminal writes, and the events the
 * session acts on (submit, interrupt, eof, complete, bell).
 *
 * Trust boundary: every input byte comes from the (possibly hostile) SSH client; the prompt text
 * and completion candidates come from the session but may carry attacker-chosen names (cwd, file
 * names). The editor guarantees that the buffer only ever holds printable text plus \n and \t,
 * that a 'submit' carries exactly the buffer the terminal showed, and that no input can make it
 * throw or desynchronise its screen model (an internal fault resets to an empty prompt).
 *
 * Known limits: display widths come from string-width; a terminal that disagrees (emoji ZWJ
 * sequences, VS16 emoji, ambiguous-width characters) will misplace the cursor, though the text
 * shown and submitted stay the same. A buffer taller than the screen cannot be edited above the
 * screen's top row correctly (relative cursor motion cannot reach scrollback). Resize assumes the
 * terminal reflows wrapped lines (xterm.js with reflowCursorLine, VTE, iTerm2, kitty, Windows
 * Terminal); one that does not leaves stale rows above the redrawn prompt. A lone Esc is only
 * recognised when the next byte arrives or when the session calls flushEscape().
 * See docs/line-editing.md.
 */
export { LineEditor } from './editor.js';
export type { EditorEffect, EditorMode, EditorOptions } from './effects.js';
export { completionWord } from './completion.js';
export { sanitizeText, isPrintableText } from './text.js';
export { LineEditorError, LineEditorOptionsError } from './errors.js';
export type { LineEditorErrorCode } from './errors.js';
