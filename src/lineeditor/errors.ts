import { BulwarkError } from '../core/index.js';

export type LineEditorErrorCode = 'ERR_LINEEDITOR_OPTIONS';

/** Programming errors in how the editor is constructed; keystrokes never throw. */
export class LineEditorError extends BulwarkError<LineEditorErrorCode> {}

export class LineEditorOptionsError extends LineEditorError {
  constructor(message: string) {
    super('ERR_LINEEDITOR_OPTIONS', message);
  }
}
