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
