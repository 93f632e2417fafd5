/** What makes a path sensitive: secrets, logs and history, persistence hooks, privilege files,
 * block devices, and scratch space. A path with a wildcard or an unresolved part is tested
 * against sample sensitive paths: if it could name one, that is reported as "could be". */
import { UNKNOWN } from '../types.js';

export type Verdict = 'yes' | 'maybe' | undefined;

const HOME = String.raw`(?:~[^/]*|/root|/home/[^/]+|/Users/[^/]+)`;

const SECRET = new RegExp(
  [
    String.raw`^/etc/(?:g?shadow-?|master\.passwd|security/opasswd)$`,
    String.raw`(?:^|/)\.ssh/(?!.*\.pub$)(?:id_[^/]*|[^/]*_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?)$`,
    String.raw`^/etc/ssh/ssh_host_[^/]*_key$`,
    String.raw`(?:^|/)id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?$`,
    String.raw`(?:^|/)[^/]*\.(?:key|p12|pfx|jks|keystore|kdbx|ppk)$`,
    String.raw`(?:^|/)[^/]*[-_.]key\.pem$|(?:^|/)(?:private|privkey)[^/]*\.pem$`,
    `^${HOME}/\\.aws/credentials$`,
    String.raw`(?:^|/)\.aws/credentials$`,
    String.raw`(?:^|/)\.config/gcloud/(?:credentials\.db|access_tokens\.db|application_default_credentials\.json|legacy_credentials(?:/.*)?)$`,
    String.raw`(?:^|/)\.azure/(?:accessTokens\.json|msal_token_cache\.[^/]*|azureProfile\.json)$`,
    String.raw`(?:^|/)\.kube/config$`,
    String.raw`^/etc/kubernetes/(?:admin|kubelet|controller-manager|scheduler|super-admin)\.conf$`,
    String.raw`^/etc/kubernetes/pki/.*\.key$`,
    String.raw`(?:^|/)\.docker/config\.json$`,
    String.raw`(?:^|/)\.(?:git-credentials|netrc|pgpass|my\.cnf|vault-token|npmrc|pypirc|s3cfg|boto|dockercfg)$`,
    String.raw`(?:^|/)\.(?:gnupg|password-store)(?:/.*)?$`,
    String.raw`(?:^|/)\.env(?:\.(?!example$|sample$|template$|dist$|defaults$|schema$)[^/]*)?$`,
    String.raw`^/proc/[^/]+/environ$`,
    String.raw`^/(?:var/)?run/secrets(?:/.*)?$`,
    String.raw`(?:^|/)ssl/private(?:/.*)?$`,
    String.raw`(?:^|/)[^/]*\.tfstate(?:\.backup)?$`,
    String.raw`(?:^|/)credentials\.json$|(?:^|/)service[-_]account[^/]*\.json$`,
  ].join('|'),
);

/** Concrete examples of secret paths, to test wildcards and unknowns against. */
const SECRET_SAMPLES = [
  '/etc/shadow', '/etc/gshadow', '~/.ssh/id_rsa', '~/.ssh/id_ed25519', '/root/.ssh/id_rsa', '/home/u/.ssh/id_rsa',
  '~/.aws/credentials', '~/.kube/config', '~/.docker/config.json', '~/.git-credentials', '~/.netrc', '~/.pgpass',
  '~/.my.cnf', '~/.vault-token', '/etc/ssh/ssh_host_rsa_key', '/proc/1/environ', '/run/secrets/db',
  '/var/run/secrets/kubernetes.io/serviceaccount/token', '/opt/app/.env', '.env', '/etc/kubernetes/admin.conf',
  '~/.config/gcloud/credentials.db', '/etc/ssl/private/server.key',
];

const AUDIT = new RegExp(
  [
    String.raw`^/var/log(?:/.*)?$`,
    String.raw`(?:^|/)\.(?:bash|zsh|sh|python|mysql|psql|node_repl|lesshst|sqlite|rediscli|irb)_?history$`,
    String.raw`(?:^|/)\.local/share/fish/fish_history$`,
    String.raw`^/var/(?:run|adm)/(?:utmp|wtmp|btmp|lastlog)$`,
    String.raw`^/run/log/journal(?:/.*)?$`,
    String.raw`^/etc/(?:audit|rsyslog\.d|rsyslog\.conf|syslog-ng)(?:/.*)?$`,
  ].join('|'),
);
const AUDIT_SAMPLES = ['/var/log/syslog', '/var/log/auth.log', '/var/log/audit/audit.log', '~/.bash_history'];

const PERSISTENCE = new RegExp(
  [
    String.raw`(?:^|/)\.ssh/authorized_keys2?$`,
    String.raw`^/etc/(?:crontab|cron\.[^/]+(?:/.*)?|anacrontab)$`,
    String.raw`^/var/spool/cron(?:/.*)?$`,
    String.raw`^/(?:etc|lib|usr/lib|run)/systemd/(?:system|user)(?:/.*)?$`,
    String.raw`(?:^|/)\.config/systemd/user(?:/.*)?$`,
    String.raw`(?:^|/)\.(?:bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zshenv|zlogin|kshrc|cshrc|tcshrc|inputrc)$`,
    String.raw`(?:^|/)\.config/(?:fish/config\.fish|autostart(?:/.*)?)$`,
    String.raw`^/etc/(?:profile|bash\.bashrc|bashrc|zshrc|zsh/zshrc|environment|rc\.local|rc\.d(?:/.*)?|init\.d(?:/.*)?|profile\.d(?:/.*)?|update-motd\.d(?:/.*)?|ld\.so\.preload|ld\.so\.conf(?:\.d)?(?:/.*)?|pam\.d(?:/.*)?|ssh/sshd_config(?:\.d/.*)?|xdg/autostart(?:/.*)?)$`,
    String.raw`(?:^|/)\.git/hooks(?:/.*)?$`,
    String.raw`(?:^|/)\.gitconfig$|(?:^|/)\.git/config$`,
  ].join('|'),
);

const PRIVILEGE = /^\/etc\/(?:sudoers(?:\.d(?:\/.*)?)?|passwd|shadow|group|gshadow|doas\.conf|security\/.*|polkit-1\/.*)$/;

const DEVICE = /^\/dev\/(?:sd[a-z]+\d*|hd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|nvme\d+(?:n\d+)?(?:p\d+)?|mmcblk\d+(?:p\d+)?|md\d+|dm-\d+|mapper\/.+|disk\/.+|loop\d+|nbd\d+|sg\d+|root|mem|kmem|port)$/;

const HARMLESS_DEV = /^\/dev\/(?:null|zero|stdout|stderr|stdin|tty|full|random|urandom|pts\/\d+)$/;

/** Scratch space where an agent's own work lives: writes and deletes below it are routine. */
const TMP = /^\/(?:tmp|var\/tmp|dev\/shm)\/[^/\uFFFF*?[]+/;

export function normalisePath(p: string): string {
  let s = p.replace(/\/+/g, '/');
  s = s.replace(/^\$HOME(?=\/|$)/, '~');
  if (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  s = s.replace(/\/\.(?=\/|$)/g, '');
  return s;
}

function wildcardRegex(p: string): RegExp {
  let r = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === UNKNOWN || c === '*') r += '.*';
    else if (c === '?') r += '.';
    else if (c === '[') {
      const close = p.indexOf(']', i + 2);
      if (close < 0) r += '\\[';
      else {
        r += `[${p.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else r += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${r}$`);
}

function classify(p: string, re: RegExp, samples: readonly string[]): Verdict {
  const n = normalisePath(p);
  if (n.length === 0) return undefined;
  const wild = n.includes(UNKNOWN) || /[*?[]/.test(n);
  if (!wild) return re.test(n) ? 'yes' : undefined;
  // A bare unknown (`"$f"`) says nothing; only judge patterns with a literal, path-like part.
  const literal = n.split(UNKNOWN).join('');
  if (!/[/~.]/.test(literal) || literal.replace(/[*?/]/g, '').length < 2) return undefined;
  const rx = wildcardRegex(n);
  return samples.some((s) => rx.test(s)) ? 'maybe' : undefined;
}

/** The argument may carry a path after `--opt=` or `name=@`: test its tail too. */
function candidates(arg: string): string[] {
  const out = [arg];
  const eq = arg.indexOf('=');
  if (eq > 0) out.push(arg.slice(eq + 1).replace(/^@/, ''));
  if (arg.startsWith('@')) out.push(arg.slice(1));
  return out;
}

export function secretPath(arg: string): Verdict {
  let best: Verdict;
  for (const c of candidates(arg)) {
    const v = classify(c, SECRET, SECRET_SAMPLES);
    if (v === 'yes') return 'yes';
    best = best ?? v;
  }
  return best;
}

export function auditPath(p: string): Verdict {
  return classify(p, AUDIT, AUDIT_SAMPLES);
}

export function persistencePath(p: string): boolean {
  return PERSISTENCE.test(normalisePath(p));
}

export function privilegePath(p: string): boolean {
  return PRIVILEGE.test(normalisePath(p));
}

export function devicePath(p: string): boolean {
  return DEVICE.test(normalisePath(p));
}

export function harmlessDevice(p: string): boolean {
  return HARMLESS_DEV.test(normalisePath(p));
}

export function scratchPath(p: string): boolean {
  const n = normalisePath(p);
  return TMP.test(n) && !n.includes('/../') && !n.includes(UNKNOWN);
}

/** A directory that holds secrets below it (for recursive readers and archivers). */
export function containsSecrets(dir: string): boolean {
  const n = normalisePath(dir);
  if (n.includes(UNKNOWN)) return false;
  const prefix = n === '/' ? '/' : `${n}/`;
  return SECRET_SAMPLES.some((s) => s.startsWith(prefix) || (n === '~' && s.startsWith('~/')));
}

/** Paths that reach the bastion's control channel or other inherited descriptors. */
export function controlChannelPath(p: string): boolean {
  const n = normalisePath(p);
  const fd = /^\/dev\/fd\/(\d+)/.exec(n);
  if (fd && Number(fd[1]) >= 3) return true;
  return /^\/proc\/[^/]+\/fd(?:\/|$)/.test(n) || /^\/proc\/[^/]+\/fdinfo/.test(n);
}

export function networkDevicePath(p: string): string | undefined {
  const m = /^\/dev\/(?:tcp|udp)\/([^/]+)/.exec(normalisePath(p));
  return m ? (m[1] ?? '') : undefined;
}

/** Root-level or otherwise broad targets where a recursive delete is catastrophic. */
export function broadPath(p: string): boolean {
  const n = normalisePath(p);
  if (n.includes(UNKNOWN) && normalisePath(n.split(UNKNOWN)[0] ?? '').split('/').filter(Boolean).length <= 1) return true;
  return /^(?:\/|~|\/\*|~\/\*|\/[^/]+|\/[^/]+\/\*|\*|\.|\.\.|\/home\/[^/]+)$/.test(n);
}
