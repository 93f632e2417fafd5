/** Data leaving the host: HTTP uploads, scp/rsync/sftp to a remote, raw sockets (nc, socat),
 * ssh (whose remote command is judged too), DNS tunnelling and mail. Downloads are not
 * exfiltration; running what was downloaded is judged where it runs (shells, interpreters). */
import type { Judge } from '../judge.js';
import type { Invocation } from '../invocation.js';
import { has, isRemoteHost, parseArgs, urlHost, value } from '../invocation.js';
import { UNKNOWN } from '../types.js';
import { judgeWrite } from './redirects.js';
import { describeStdin } from './shells.js';
import type { RuleTable } from './table.js';

const CURL_VALUED = ['-d', '--data', '--data-binary', '--data-raw', '--data-ascii', '--data-urlencode', '--json', '-F', '--form',
  '--form-string', '-T', '--upload-file', '-X', '--request', '-H', '--header', '-o', '--output', '-u', '--user', '-A', '--user-agent',
  '-e', '--referer', '-b', '--cookie', '-c', '--cookie-jar', '-K', '--config', '-x', '--proxy', '-m', '--max-time', '--connect-timeout',
  '-w', '--write-out', '--retry', '--resolve', '--cacert', '--cert', '-E', '--key', '--url', '-U', '--proxy-user', '-r', '--range',
  '-C', '--continue-at', '-Y', '-y', '--limit-rate', '--interface', '--dns-servers', '--retry-delay', '--retry-max-time', '--max-filesize'];
const SEND = ['-d', '--data', '--data-binary', '--data-raw', '--data-ascii', '--data-urlencode', '--json', '-F', '--form', '--form-string', '-T', '--upload-file'];

function esTarget(url: string): boolean {
  return /:(?:9200|9201|9243)(?:\/|$)/.test(url) || /\/_(?:doc|all|index|alias|data_stream)|elastic|opensearch/i.test(url);
}

function httpMethodEffects(j: Judge, inv: Invocation, method: string, urls: string[]): void {
  const m = method.toUpperCase();
  for (const u of urls) {
    if (/_delete_by_query|_update_by_query/.test(u)) {
      j.emit(inv, 'bulk.delete', 'high', `${inv.name} runs a by-query delete or update on ${u}`, { hosts: [urlHost(u)] });
    } else if (m === 'DELETE') {
      if (esTarget(u)) j.emit(inv, 'destroy.database', 'critical', `${inv.name} -X DELETE ${u} deletes a search index`, { hosts: [urlHost(u)] });
      else j.emit(inv, 'destroy.cloud', 'medium', `${inv.name} sends an HTTP DELETE to ${u}`, { hosts: [urlHost(u)] });
    }
  }
}

function curlRule(inv: Invocation, j: Judge): void {
  const p = parseArgs(inv.args, { valued: CURL_VALUED });
  const urls = [...p.positionals, ...[value(p, '--url')].filter((x): x is string => x !== undefined)];
  const hosts = urls.map(urlHost).filter((h) => h !== '');
  const remote = hosts.some((h) => isRemoteHost(h) || h.includes(UNKNOWN));
  if (value(p, '-K', '--config') !== undefined) j.emit(inv, 'evasion', 'medium', `${inv.name} reads its options from a file`);
  const sent: string[] = [];
  inv.args.forEach((a, i) => {
    if (SEND.includes(a) && inv.args[i + 1] !== undefined) sent.push(inv.args[i + 1] as string);
    for (const s of SEND) if (s.startsWith('--') && a.startsWith(`${s}=`)) sent.push(a.slice(s.length + 1));
    if (/^-[dFT]./.test(a)) sent.push(a.slice(2));
  });
  const postData = inv.args.filter((a) => /^--(?:post|body)-(?:data|file)(?:=|$)/.test(a));
  if ((sent.length > 0 || postData.length > 0) && remote) {
    const files = sent.filter((s) => s.startsWith('@') || /^[^=]*=@|^[^=]*=<|^[^-@=][^=]*$/.test(s) && inv.args.includes('-T'));
    const fromStdin = sent.some((s) => s === '@-' || s === '-' || /=@-$/.test(s));
    const dynamic = [...sent, ...postData].some((s) => s.includes(UNKNOWN));
    const sev = files.length > 0 || fromStdin || dynamic ? 'high' : 'medium';
    const what = fromStdin ? describeStdin(inv.stdin) : files.length > 0 ? files.join(' ') : dynamic ? 'data computed at run time' : 'data';
    j.emit(inv, 'exfiltration', sev, `${inv.name} uploads ${what} to ${hosts.join(', ')}`, { hosts });
  }
  const method = value(p, '-X', '--request') ?? inv.args.find((a) => a.startsWith('--method='))?.slice(9);
  if (method !== undefined) httpMethodEffects(j, inv, method, urls);
  const out = value(p, '-o', '--output', '-O', '--output-document');
  if (out !== undefined && out !== '-') judgeWrite(j, inv, out, 'truncate');
}

function wgetRule(inv: Invocation, j: Judge): void {
  const p = parseArgs(inv.args, { valued: ['-O', '--output-document', '-o', '--output-file', '-P', '--directory-prefix', '-U', '--user-agent', '--header', '-t', '--tries', '-T', '--timeout', '-i', '--input-file'] });
  const urls = p.positionals;
  const hosts = urls.map(urlHost).filter((h) => h !== '');
  const sends = inv.args.filter((a) => /^--(?:post|body)-(?:data|file)/.test(a));
  if (sends.length > 0 && hosts.some((h) => isRemoteHost(h))) {
    j.emit(inv, 'exfiltration', sends.some((s) => s.includes(UNKNOWN) || /file/.test(s)) ? 'high' : 'medium', `wget posts ${sends.some((s) => s.includes(UNKNOWN)) ? 'data computed at run time' : 'data'} to ${hosts.join(', ')}`, { hosts });
  }
  const method = inv.args.find((a) => a.startsWith('--method='))?.slice(9);
  if (method !== undefined) httpMethodEffects(j, inv, method, urls);
  const out = value(p, '-O', '--output-document');
  if (out !== undefined && out !== '-') judgeWrite(j, inv, out, 'truncate');
}

const REMOTE_SPEC = /^(?:[a-z]+:\/\/|(?:[^/:@\s]+@)?(?:\[[^\]]+\]|[^/:\s]+):(?!\/\/))/i;
export function isRemoteSpec(a: string): boolean {
  return !a.startsWith('/') && !a.startsWith('./') && !a.startsWith('~') && REMOTE_SPEC.test(a);
}
function specHost(a: string): string {
  return a.replace(/^[a-z]+:\/\//i, '').replace(/^[^@]*@/, '').split(/[:/]/)[0] ?? '';
}

/** A cluster of scp's boolean flags holding -t or -f (valued options like -oX=... never match). */
const SCP_SERVER_FLAGS = /^-[346ABCOdpqrRsTv]*[tf][346ABCOdpqrRsTvtf]*$/;

function copyRule(valued: string[]) {
  return (inv: Invocation, j: Judge): void => {
    const p = parseArgs(inv.args, { valued });
    for (const o of [value(p, '-o'), value(p, '-e', '--rsh'), value(p, '-S'), value(p, '--rsync-path')]) {
      if (o !== undefined && /ProxyCommand|LocalCommand|[;|&`$]/.test(o)) {
        j.emit(inv, 'evasion', 'high', `${inv.name} option runs a local command (${o.slice(0, 40)})`);
      }
    }
    // `scp -t PATH` / `scp -f PATH` is scp's server side (legacy `scp -O` runs it over exec): it
    // takes its file protocol from stdin, so like any program reading input of its own the
    // policy decides (agents: no), and what it writes or sends is never seen by the judge.
    const serverFlag = inv.args.find((a) => SCP_SERVER_FLAGS.test(a));
    if (inv.name === 'scp' && serverFlag !== undefined) {
      j.interactive.add(`scp ${serverFlag.includes('t') ? '-t' : '-f'}`);
      return;
    }
    const ops = p.positionals;
    const dest = ops[ops.length - 1];
    if (dest === undefined || ops.length < 2) return;
    const sources = ops.slice(0, -1);
    if (isRemoteSpec(dest) && sources.some((s) => !isRemoteSpec(s))) {
      const host = specHost(dest);
      j.emit(inv, 'exfiltration', 'high', `${inv.name} copies ${sources.join(' ')} to ${host}`, { hosts: [host], paths: sources });
    } else if (!isRemoteSpec(dest)) {
      judgeWrite(j, inv, dest, 'replace');
      if (inv.name === 'rsync' && inv.args.some((a) => a.startsWith('--delete')) && !has(p, '-n', '--dry-run')) {
        j.emit(inv, 'destroy.filesystem', 'high', `rsync --delete removes files under ${dest} that are not in the source`, { paths: [dest] });
      }
    }
  };
}

function ncRule(inv: Invocation, j: Judge): void {
  const p = parseArgs(inv.args, { valued: ['-e', '-c', '-p', '-s', '-w', '-i', '-q', '-x', '-X', '-I', '-O', '-T', '-V', '--exec', '--sh-exec', '--lua-exec', '-o', '--output'] });
  const hosts = p.positionals.filter((x) => !/^\d+(?:-\d+)?$/.test(x));
  const exec = value(p, '-e', '-c', '--exec', '--sh-exec', '--lua-exec');
  if (exec !== undefined) {
    j.emit(inv, 'exfiltration', 'critical', `${inv.name} -e gives a remote peer a shell (${exec})`, { hosts });
    return;
  }
  if (has(p, '-l', '--listen')) {
    j.emit(inv, 'exfiltration', 'high', `${inv.name} listens for connections and passes data through`, { hosts });
    return;
  }
  if (has(p, '-z')) return;
  if (hosts.some((h) => isRemoteHost(h) || h.includes(UNKNOWN))) {
    j.emit(inv, 'exfiltration', 'high', `${inv.name} sends ${inv.stdin.kind === 'tty' ? 'typed input' : describeStdin(inv.stdin)} to ${hosts.join(' ')}`, { hosts });
  }
}

function sshRule(inv: Invocation, j: Judge): void {
  const valued = ['-b', '-c', '-D', '-E', '-e', '-F', '-I', '-i', '-J', '-L', '-l', '-m', '-O', '-o', '-p', '-Q', '-R', '-S', '-W', '-w', '-B'];
  const p = parseArgs(inv.args, { valued }, true);
  inv.args.forEach((a, i) => {
    const o = a === '-o' ? inv.args[i + 1] : a.startsWith('-o') ? a.slice(2) : undefined;
    const m = o !== undefined ? /^\s*(ProxyCommand|LocalCommand|KnownHostsCommand|PermitLocalCommand)\s*[= ]\s*(.*)$/i.exec(o) : null;
    if (m) {
      j.emit(inv, 'evasion', 'high', `ssh -o ${m[1] ?? ''} runs a local command`);
      if (m[2] && !/^(yes|no)$/i.test(m[2])) j.shell(m[2], inv, `ssh ${m[1] ?? ''}`);
    }
  });
  const host = p.positionals[0];
  if (host === undefined) return;
  const h = specHost(host);
  if (has(p, '-R', '-D', '-w')) j.emit(inv, 'exfiltration', 'medium', `ssh opens a tunnel through ${h}`, { hosts: [h] });
  const cmd = p.positionals.slice(1).join(' ');
  if (inv.stdin.kind === 'pipe' || inv.stdin.kind === 'file' || (inv.stdin.kind === 'text' && cmd !== '')) {
    j.emit(inv, 'exfiltration', 'high', `ssh sends ${describeStdin(inv.stdin)} to ${h}`, { hosts: [h] });
  }
  if (cmd !== '') {
    if (cmd.includes(UNKNOWN)) j.emit(inv, 'evasion', 'high', `ssh runs a remote command only known at run time on ${h}`, { hosts: [h] });
    else j.shell(cmd, inv, `ssh ${h}`);
  } else if (inv.stdin.kind === 'text') {
    j.emit(inv, 'evasion', 'medium', `ssh feeds a ${inv.stdin.how} to the remote shell on ${h}`, { hosts: [h] });
    if (!inv.stdin.dynamic) j.shell(inv.stdin.text, inv, `ssh ${h} <stdin`);
  } else if (inv.stdin.kind === 'tty' && !has(p, '-N', '-W', '-O')) j.interactive.add(`ssh ${h}`);
}

export const network: RuleTable = {
  curl: curlRule,
  wget: wgetRule,
  'http https xh'(inv, j) {
    const m = inv.args.find((a) => /^(GET|POST|PUT|PATCH|DELETE)$/i.test(a));
    const items = inv.args.filter((a) => /^[^-=@][^=]*(?:=@|@)|^@/.test(a));
    const url = inv.args.find((a) => /\./.test(a) && !a.startsWith('-') && a !== m) ?? '';
    if ((items.length > 0 || inv.stdin.kind === 'pipe') && isRemoteHost(urlHost(url))) j.emit(inv, 'exfiltration', 'high', `${inv.name} uploads data to ${urlHost(url)}`);
    if (m !== undefined) httpMethodEffects(j, inv, m, [url]);
  },
  scp: copyRule(['-P', '-i', '-o', '-F', '-c', '-l', '-S', '-J', '-D', '-X']),
  rsync: copyRule(['-e', '--rsh', '--exclude', '--include', '--filter', '-f', '--password-file', '--files-from', '--port', '--rsync-path', '--log-file', '-B', '-T', '--temp-dir', '--partial-dir', '--backup-dir', '--suffix', '--chmod', '--chown', '-M', '--remote-option', '--exclude-from', '--include-from']),
  'sftp ftp lftp tftp smbclient ncftp'(inv, j) {
    const host = inv.args.filter((a) => !a.startsWith('-')).pop() ?? '';
    j.emit(inv, 'exfiltration', 'medium', `${inv.name} opens a file-transfer session to ${specHost(host) || 'a remote host'}`, { hosts: [specHost(host)] });
    j.interactive.add(inv.name);
  },
  'nc ncat netcat': ncRule,
  socat(inv, j) {
    const addrs = inv.args.filter((a) => !a.startsWith('-'));
    if (addrs.some((a) => /^(EXEC|SYSTEM):/i.test(a))) j.emit(inv, 'exfiltration', 'critical', 'socat connects a program to a socket (remote shell)');
    else if (addrs.some((a) => /^(TCP|UDP|SCTP|OPENSSL|SSL|TCP4|TCP6|UDP4|UDP6)(-LISTEN)?:/i.test(a) && (/LISTEN/i.test(a) || isRemoteHost(a.split(':')[1] ?? '')))) {
      j.emit(inv, 'exfiltration', 'high', `socat relays data over the network (${addrs.join(' ')})`);
    }
  },
  telnet(inv, j) {
    if (inv.args.some((a) => isRemoteHost(a) && !a.startsWith('-'))) j.emit(inv, 'exfiltration', 'medium', `telnet sends ${describeStdin(inv.stdin)} to ${inv.args.join(' ')}`);
    j.interactive.add('telnet');
  },
  ssh: sshRule,
  'ssh-copy-id'(inv, j) {
    j.emit(inv, 'persistence', 'high', `ssh-copy-id installs a key for login on ${inv.args.filter((a) => !a.startsWith('-')).pop() ?? 'a host'}`);
  },
  'dig nslookup host drill ping ping6 traceroute'(inv, j) {
    const names = inv.args.filter((a) => !a.startsWith('-') && !a.startsWith('@') && !a.startsWith('+'));
    if (names.some((n) => (n.includes(UNKNOWN) && n !== UNKNOWN) || /[A-Za-z0-9+/=_-]{40,}\./.test(n))) {
      j.emit(inv, 'exfiltration', 'high', `${inv.name} looks up a name built from data (DNS tunnelling)`);
    }
  },
  'mail mailx sendmail mutt swaks msmtp'(inv, j) {
    const attach = inv.args.some((a) => /^-[aA]$|^--attach/.test(a));
    j.emit(inv, 'exfiltration', attach || inv.stdin.kind !== 'tty' ? 'high' : 'medium', `${inv.name} sends ${attach ? 'files' : describeStdin(inv.stdin)} by mail`);
  },
  openssl(inv, j) {
    if (inv.args[0] !== 's_client') return;
    const s = inv.stdin;
    if (s.kind === 'pipe' || (s.kind === 'file' && s.path !== '/dev/null') || s.kind === 'text') {
      j.emit(inv, 'exfiltration', 'medium', `openssl s_client sends ${describeStdin(s)} to a remote host`);
    }
  },
};
