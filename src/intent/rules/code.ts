/** Inline code of other languages (python -c, perl -e, node -e, ...). We do not parse these
 * languages: we recognise shell-outs (whose literal command is judged as shell), file deletion,
 * network use and secret paths in string literals, and accept code made only of a small set of
 * harmless names. Anything else is evasion: unknown inline code cannot be judged. */
import type { Judge } from '../judge.js';
import type { Invocation } from '../invocation.js';
import { UNKNOWN } from '../types.js';
import { secretPath } from './paths.js';

export type Lang = 'python' | 'perl' | 'ruby' | 'node' | 'php' | 'other';

const SHELL_OUT: Record<Lang, RegExp> = {
  python: /\b(os\.system|os\.popen|subprocess\.\w+|commands\.\w+|pty\.spawn|os\.exec\w*|os\.spawn\w*|os\.posix_spawn\w*)\s*\(\s*(\[[^\]]*\]|(['"])((?:\\.|(?!\3).)*)\3)/g,
  perl: /\b(system|exec|qx|open)\s*\(?\s*(\[[^\]]*\]|(['"])((?:\\.|(?!\3).)*)\3)/g,
  ruby: /\b(system|exec|spawn|IO\.popen|Open3\.\w+|%x)\s*\(?\s*(\[[^\]]*\]|(['"])((?:\\.|(?!\3).)*)\3)/g,
  node: /\b(execSync|exec|spawnSync|spawn|execFileSync|execFile)\s*\(\s*(\[[^\]]*\]|(['"`])((?:\\.|(?!\3).)*)\3)/g,
  php: /\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*(\[[^\]]*\]|(['"])((?:\\.|(?!\3).)*)\3)/g,
  other: /$^/g,
};
const BACKTICKS = /`([^`]*)`|\bqx\{([^}]*)\}|%x\{([^}]*)\}/g;
const DELETE = /\b(shutil\.rmtree|os\.remove|os\.unlink|os\.rmdir|os\.removedirs|\.unlink\s*\(|\.rmtree|rmtree|unlink|FileUtils\.rm\w*|File\.delete|fs\.rm\w*|fs\.unlink\w*|fs\.promises\.rm|Dir\.delete|truncate)\b/;
const NETWORK = /\b(socket|urllib\d?|requests|http\.client|httplib|httpx|aiohttp|ftplib|smtplib|paramiko|telnetlib|IO::Socket|LWP|HTTP::Tiny|Net::\w+|net\/http|open-uri|fetch|https?\.request|net\.connect|dgram|axios|curl_exec|fsockopen|http\.server|SimpleHTTPServer)\b/;
const DYNAMIC = /\b(exec|eval|compile|__import__|base64|b64decode|codecs|marshal|pickle|Function|vm\.run\w*|pack|unpack|decode_base64|MIME::Base64|instance_eval|class_eval|send|constantize|importlib|ctypes)\b/;

const SAFE: Record<Lang, Set<string>> = {
  python: new Set(('print import from as json sys stdin stdout stderr argv load loads dump dumps read readline readlines write ' +
    'len sum min max sorted reversed enumerate zip range int float str bool list dict set tuple for in if else elif not and or ' +
    'is None True False lambda split strip rstrip lstrip join replace lower upper format keys values items get append math ' +
    'sqrt floor ceil round abs datetime date time now today strftime isoformat fromtimestamp re match search findall sub ' +
    'indent sort_keys ensure_ascii csv reader writer writerow collections Counter most_common platform version python_version ' +
    'hexversion maxsize path exit uuid uuid4 hex random randint choice string ascii_letters digits encode decode utf utf8 ' +
    'hashlib sha256 md5 hexdigest x y k v i line l d e f s n a b r w').split(' ')),
  perl: new Set('print say for foreach if else unless my our while chomp split join map grep sort keys values length uc lc sprintf printf ARGV STDIN STDOUT _ and or not x y i e n s a b'.split(' ')),
  ruby: new Set('puts print p require json JSON parse generate pretty_generate STDIN ARGF read each map select sort keys values to_s to_i to_json first last length size if else end do x y i e n s a b'.split(' ')),
  node: new Set('console log JSON parse stringify process stdout stdin write argv env_ const let var for of in if else return Math Date now toISOString require fs readFileSync x y i e n s a b d length map filter reduce keys values Object'.split(' ')),
  php: new Set('echo print json_encode json_decode var_dump phpversion PHP_VERSION date time'.split(' ')),
  other: new Set(),
};

function literals(list: string): string {
  return [...list.matchAll(/(['"])((?:\\.|(?!\1).)*)\1/g)].map((m) => m[2] ?? '').join(' ');
}

/** Judges inline code; returns true when it found something to say. */
export function judgeCode(j: Judge, inv: Invocation, lang: Lang, code: string, label: string): void {
  if (code.includes(UNKNOWN)) {
    j.emit(inv, 'evasion', 'high', `${label} runs code that is only known at run time`);
    return;
  }
  let found = false;
  const run = (cmd: string, how: string): void => {
    found = true;
    j.emit(inv, 'evasion', 'high', `${label} code runs a shell command through ${how}`);
    if (cmd.trim() !== '') j.shell(cmd.replace(/\\(["'\\])/g, '$1'), inv, `${label} ${how}`);
  };
  for (const m of code.matchAll(SHELL_OUT[lang])) {
    const fn = m[1] ?? 'exec';
    if (fn === 'open' && !/^\s*\(?\s*['"]?\s*\|/.test(code.slice((m.index ?? 0) + fn.length)) && !/\|\s*['"]?\s*\)?\s*$/.test(m[4] ?? '')) continue;
    run(m[4] ?? literals(m[2] ?? ''), fn);
  }
  if (lang === 'perl' || lang === 'ruby' || lang === 'php') {
    for (const m of code.matchAll(BACKTICKS)) run(m[1] ?? m[2] ?? m[3] ?? '', 'backticks');
  }
  const del = DELETE.exec(code);
  if (del) {
    found = true;
    j.emit(inv, 'destroy.filesystem', 'high', `${label} code deletes files (${del[1] ?? ''})`);
  }
  const net = NETWORK.exec(code);
  if (net) {
    found = true;
    j.emit(inv, 'exfiltration', 'medium', `${label} code opens network connections (${net[1] ?? ''})`);
  }
  for (const m of code.matchAll(/(['"])((?:\\.|(?!\1).)*)\1/g)) {
    const s = m[2] ?? '';
    if (secretPath(s) === 'yes') {
      found = true;
      j.emit(inv, 'secrets.read', 'high', `${label} code reads ${s}`, { paths: [s] });
    }
  }
  const dyn = DYNAMIC.exec(code);
  if (dyn) {
    j.emit(inv, 'evasion', 'high', `${label} code builds or decodes code at run time (${dyn[1] ?? ''})`);
    return;
  }
  if (found) return;
  const noRegex = lang === 'perl' ? code.replace(/(?:\b[msy]|tr)?\/(?:\\.|[^/\n])*\/(?:(?:\\.|[^/\n])*\/)?[a-z]*/g, ' ') : code;
  const stripped = noRegex.replace(/(['"])(?:\\.|(?!\1).)*\1/g, ' ').replace(/#.*$/gm, ' ');
  const names = stripped.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  const unknown = names.filter((n) => !SAFE[lang].has(n));
  if (unknown.length > 0) {
    j.emit(inv, 'evasion', 'medium', `${label} runs inline code that is not analysed (uses ${[...new Set(unknown)].slice(0, 4).join(', ')})`);
  }
}
