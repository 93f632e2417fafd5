/**
 * `bulwark analyze [--ndjson] [COMMAND]`: the intents of a command line, without policy.
 *
 * One COMMAND (or, without one, all of stdin as a single line): pretty JSON with the intents,
 * the normalised command trees and the interactive programs. `--ndjson`: each stdin line is a
 * JSON string or `{"command": ...}`; each stdout line is one JSON object, in input order; a bad
 * line or an internal error yields an `evasion` result, never a missing line.
 */
import { createInterface } from 'node:readline';
import type { Intent } from '../core/intent.js';
import { describeError } from '../core/errors.js';
import { BadInputError, createAnalyzer, type Analysis, type Analyzer } from '../intent/index.js';
import { EXIT, writeLine, type CliIO } from './io.js';

const USAGE = `usage: bulwark analyze [--ndjson] [COMMAND]

Prints the intents bulwark's judge finds in a bash command line (no policy is applied).
  COMMAND     the command line (several arguments are joined with spaces);
              without it, all of stdin is read as one command line
  --ndjson    read one JSON string or {"command": ...} per stdin line, write one JSON object
              per line, in order`;

function failure(command: string, why: string): Intent {
  return {
    category: 'evasion',
    severity: 'critical',
    explanation: `not analysed: ${why}`,
    evidence: { start: 0, end: command.length, text: command, path: [] },
    details: {},
  };
}

function compact(a: Analysis): Record<string, unknown> {
  return {
    command: a.line,
    complete: a.complete,
    intents: a.intents,
    ...(a.interactive ? { interactive: a.interactive } : {}),
    ...(a.definitions ? { definitions: a.definitions } : {}),
  };
}

/** One ndjson input line to one output object; never throws. */
export function analyzeNdjsonLine(analyzer: Analyzer, raw: string): Record<string, unknown> {
  let command = raw;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'string') command = parsed;
    else if (parsed !== null && typeof parsed === 'object' && typeof (parsed as { command?: unknown }).command === 'string') {
      command = (parsed as { command: string }).command;
    } else throw new BadInputError('expected a JSON string or an object with a string "command"');
    return compact(analyzer.analyze(command));
  } catch (e) {
    const why = describeError(e);
    return { command, complete: true, intents: [failure(command, why)], error: why };
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  // Options come first; everything after them (or after `--`) is the command, dashes included.
  const opts = { ndjson: false, help: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      i++;
      break;
    }
    if (a === '--ndjson') opts.ndjson = true;
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a.startsWith('-') && i === 0) {
      writeLine(io.stderr, `bulwark analyze: unknown option ${a}\n${USAGE}`);
      return EXIT.usage;
    } else break;
  }
  const positionals = argv.slice(i);
  if (opts.help) {
    writeLine(io.stdout, USAGE);
    return EXIT.ok;
  }
  const analyzer = await createAnalyzer();
  if (opts.ndjson) {
    if (positionals.length > 0) {
      writeLine(io.stderr, 'bulwark analyze: --ndjson reads commands from stdin, not from arguments');
      return EXIT.usage;
    }
    const rl = createInterface({ input: io.stdin, crlfDelay: Infinity });
    for await (const raw of rl) {
      if (raw.trim() === '') continue;
      writeLine(io.stdout, JSON.stringify(analyzeNdjsonLine(analyzer, raw)));
    }
    return EXIT.ok;
  }
  const command = positionals.length > 0 ? positionals.join(' ') : (await readAll(io.stdin)).replace(/\r?\n$/, '');
  const a = analyzer.analyze(command);
  writeLine(io.stdout, JSON.stringify({ ...compact(a), commands: a.commands }, null, 2));
  return EXIT.ok;
}
