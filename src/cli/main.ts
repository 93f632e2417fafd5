/**
 * cli: the `bulwark` command. One file per subcommand, loaded lazily so `bulwark judge` does not
 * pay for the SSH server's imports.
 *
 * Trust boundary: argv and stdin come from the local operator; each subcommand validates its own.
 */
import { parseArgs } from 'node:util';
import { EXIT, processIO, writeLine, type CliIO, type CommandRunner } from './io.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: CommandRunner }> }> = {
  // Each subcommand adds one line here: name, summary, lazy import of src/cli/<name>.ts.
  serve: { summary: 'run the bastion (SSH listener)', load: () => import('./serve.js') },
  analyze: { summary: 'intents of a command line (no policy), as JSON', load: () => import('./analyze.js') },
  judge: { summary: 'judge a command line: intents + policy -> allow | deny | review', load: () => import('./judge.js') },
  policy: { summary: 'validate policies and run their test cases', load: () => import('./policy.js') },
  recordings: { summary: 'list, search, show and prune session recordings', load: () => import('./recordings.js') },
  verify: { summary: 'verify recordings: sealed, unsealed, or the first tampered record', load: () => import('./verify.js') },
  replay: { summary: 'replay a recording in the terminal (follow a live one with --follow)', load: () => import('./replay.js') },
  ca: { summary: 'the SSH user CA: init, pubkey, sign a key for an operator', load: () => import('./ca.js') },
  login: { summary: 'OIDC login -> short-lived SSH certificate (humans; --agent for automation)', load: () => import('./login.js') },
};

function usage(io: CliIO): void {
  const lines = ['usage: bulwark <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)}${c.summary}`);
  lines.push('', 'Run `bulwark <command> --help` for the options of a command.');
  writeLine(io.stdout, lines.join('\n'));
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    usage(io);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    writeLine(io.stderr, `bulwark: unknown command "${name}". Run \`bulwark --help\` for the list.`);
    return EXIT.usage;
  }
  const mod = await command.load();
  return mod.run(rest, io);
}

export { parseArgs };
