import { parseArgs, type ParseArgsConfig } from 'node:util';
import { describeError } from '../core/errors.js';
/** What a subcommand may touch of the outside world, passed in so tests run commands in-process. */
export interface CliIO {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

export const processIO: CliIO = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
};

/** A subcommand module exports `run`; the resolved number is the process exit status. */
export type CommandRunner = (argv: string[], io: CliIO) => Promise<number>;

/** Exit statuses shared by subcommands (sysexits.h where one fits). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 64,
  dataErr: 65,
  tempFail: 75,
  noPerm: 77,
  config: 78,
} as const;

export function writeLine(stream: NodeJS.WritableStream, line: string): void {
  stream.write(line.endsWith('\n') ? line : `${line}\n`);
}

type ArgOptions = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends ArgOptions> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;

/**
 * parseArgs with the subcommands' shared conventions: a usage error prints the reason and the
 * usage on stderr (exit 64), `--help` prints the usage on stdout (exit 0). Returns the parsed
 * flags, or the exit status when the command should stop.
 */
export function parseCommand<O extends ArgOptions>(name: string, argv: string[], options: O, usage: string, io: CliIO): Parsed<O> | number {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    writeLine(io.stderr, `bulwark ${name}: ${describeError(e)}\n${usage}`);
    return EXIT.usage;
  }
  if ((parsed.values as Record<string, unknown>)['help'] === true) {
    writeLine(io.stdout, usage);
    return EXIT.ok;
  }
  return parsed;
}
