/**
 * The bash start-up file of a guarded shell (the "driver"). bash runs interactively with readline so
 * job control works, but readline never sees a typed key at its prompt: bulwark's own editor owns
 * the line, and an approved unit is loaded into READLINE_LINE from a private FIFO by a key binding
 * (`bind -x`), then accepted by a second binding. PROMPT_COMMAND reports the shell's state over a
 * second FIFO and drains every key that was typed while the command ran (see driver.ts for the
 * protocol). Everything a user command could use to change how the driver works is made readonly,
 * and the driver calls only builtins, so functions or PATH cannot shadow them. While it reports and
 * drains, SIGINT is ignored: an interrupted handshake would otherwise be re-run by bash and send a
 * second report. The drain reads with `read -s -n` (non-canonical, no echo, set in-process), so a
 * command's end costs no process forks.
 */

/** Key sequences the driver binds: fetch the next unit into the line, then accept it. */
export const FETCH_KEYS = '\x18\x06'; // C-x C-f
export const ACCEPT_KEYS = '\x18\x01'; // C-x C-a

/** Printed by bash (PS0) after it read a unit and before it runs it. */
export function startMarker(token: string): string {
  return `\x1b]bw0;${token}\x07`;
}
/** Printed by the driver after a unit ended (after all of its output). */
export function doneMarker(token: string): string {
  return `\x1b]bw1;${token}\x07`;
}
/** Written by bulwark to the tty once it stopped forwarding keys: the driver drains up to it. */
export function sentinel(nonce: string): string {
  return `\x1b]bw;${nonce}\x07`;
}

/** Single-quotes a string for bash. */
function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface RcOptions {
  /** Directory holding the FIFOs `in` and `out`. */
  readonly ctlDir: string;
  /** Per-session random token in the markers (hex). */
  readonly token: string;
}

export function rcText(o: RcOptions): string {
  if (!/^[0-9a-f]+$/.test(o.token)) throw new Error('marker token must be hex');
  // The PS0 value goes through prompt expansion; \e and \a are prompt escapes, the token is hex.
  return `# bulwark guarded-shell driver (generated; do not edit)
exec 3<${q(`${o.ctlDir}/in`)} 4>${q(`${o.ctlDir}/out`)}
builtin set +H
builtin set +o history
builtin shopt -u expand_aliases
builtin unalias -a
HISTFILE=
builtin bind 'set enable-bracketed-paste off'
builtin bind 'set bell-style none'
__bw_fetch() {
  builtin local __bw_u=
  IFS= builtin read -r -d '' -u 3 __bw_u
  READLINE_LINE=$__bw_u
  READLINE_POINT=\${#READLINE_LINE}
}
__bw_done() {
  builtin local __bw_st=$? __bw_n= __bw_buf= __bw_c=
  builtin trap '' INT
  builtin printf '\\033]bw1;%s\\007' ${o.token}
  builtin printf '%s\\0' done "$__bw_st" "$PWD" "$PATH" "$(builtin declare -f)" >&4
  IFS= builtin read -r -d '' -u 3 __bw_n
  while IFS= builtin read -r -s -n 4096 -d $'\\a' __bw_c; do
    __bw_buf+=$__bw_c
    [[ $__bw_buf == *$'\\e]bw;'"$__bw_n" ]] && builtin break
    [[ \${#__bw_buf} -gt 4096 ]] && __bw_buf=\${__bw_buf: -64}
  done
  builtin trap - INT
}
builtin bind -x '"\\C-x\\C-f": __bw_fetch'
builtin bind '"\\C-x\\C-a": accept-line'
PS1=''
PS2=''
PS0='\\e]bw0;${o.token}\\a'
PROMPT_COMMAND=__bw_done
builtin readonly PS0 PS1 PS2 PROMPT_COMMAND HISTFILE
builtin readonly -f __bw_fetch __bw_done
`;
}
