/** Whole-system effects: power, services, processes, firewall and network, accounts, privilege
 * grants, scheduled jobs, audit daemons, and git working-tree destruction. */
import type { Judge } from '../judge.js';
import type { Invocation } from '../invocation.js';
import type { RuleTable } from './table.js';
import { judgeWrite } from './redirects.js';

const AUDIT_UNITS = /^(auditd|rsyslog|syslog|syslog-ng|systemd-journald|journald|auditbeat|filebeat|fluentd|fluent-bit|td-agent|osqueryd|falco|wazuh-agent|ossec|splunkd?|splunkforwarder|vector|promtail|otelcol\S*|logstash|datadog-agent)(\.service|\.socket)?$/;
const PRIV_GROUPS = /(^|,)(sudo|wheel|admin|root|docker|lxd|disk|shadow|adm|libvirt|kvm|systemd-journal)(,|$)/;

function power(inv: Invocation, j: Judge): void {
  if (inv.name === 'shutdown' && inv.args.includes('-c')) return;
  if (inv.args.some((a) => a === '--help' || a === '--version')) return;
  j.emit(inv, 'system.disrupt', 'critical', `${inv.name} ${inv.args.join(' ')} takes the host down`.trim());
}

function unitVerb(j: Judge, inv: Invocation, verb: string, units: string[]): void {
  const audit = units.filter((u) => AUDIT_UNITS.test(u));
  if (/^(stop|kill|disable|mask|reset-failed|freeze)$/.test(verb) && audit.length > 0) {
    j.emit(inv, 'audit.tamper', 'critical', `${inv.name} ${verb} ${audit.join(' ')} stops audit logging`);
  } else if (/^(stop|kill|disable|mask|freeze)$/.test(verb)) {
    j.emit(inv, 'system.disrupt', 'high', `${inv.name} ${verb} ${units.join(' ')}`);
  } else if (/^(restart|try-restart|reload-or-restart|condrestart|force-reload)$/.test(verb)) {
    j.emit(inv, 'system.disrupt', 'low', `${inv.name} ${verb} ${units.join(' ')} restarts a service`);
  } else if (/^(enable|link|preset|add-wants|add-requires|reenable|edit|set-property|revert)$/.test(verb)) {
    j.emit(inv, 'persistence', 'high', `${inv.name} ${verb} ${units.join(' ')} installs or changes what starts at boot`);
  } else if (/^(reboot|poweroff|halt|kexec|suspend|hibernate|rescue|emergency|isolate|default|soft-reboot)$/.test(verb)) {
    j.emit(inv, 'system.disrupt', 'critical', `${inv.name} ${verb} takes the host down or changes its run level`);
  }
}

function gitRule(inv: Invocation, j: Judge): void {
  const a = inv.args;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    if (x === '-c' && a[i + 1] !== undefined) {
      const cfg = a[i + 1] as string;
      const m = /^(core\.(?:pager|editor|sshCommand|fsmonitor|hooksPath|askPass|gitProxy)|alias\.[^=]+|diff\.[^=]*\.(?:textconv|command)|filter\.[^=]*\.(?:clean|smudge|process)|credential\.helper|sequence\.editor|uploadpack\.packObjectsHook|protocol\.ext\.allow)=(.*)$/i.exec(cfg);
      if (m) {
        j.emit(inv, 'evasion', 'high', `git -c ${m[1] ?? ''} makes git run a command`);
        const cmd = (m[2] ?? '').replace(/^!/, '');
        if (cmd !== '' && !/^(true|false|cat|less)$/.test(cmd)) j.shell(cmd, inv, `git -c ${m[1] ?? ''}`);
      }
      i++;
      continue;
    }
    if (x === '-C' || x === '--git-dir' || x === '--work-tree' || x === '--namespace' || x === '-P') {
      if (x !== '-P') i++;
      continue;
    }
    if (x.startsWith('-')) continue;
    const rest = a.slice(i + 1);
    const sub = x;
    if (sub === 'reset' && rest.some((r) => r === '--hard' || r === '--merge' || r === '--keep')) j.emit(inv, 'destroy.filesystem', 'high', 'git reset --hard discards uncommitted changes');
    else if (sub === 'clean' && rest.some((r) => /^-[a-zA-Z]*f|^--force/.test(r)) && !rest.some((r) => /^-[a-zA-Z]*n|^--dry-run/.test(r))) j.emit(inv, 'destroy.filesystem', 'high', 'git clean -f deletes untracked files');
    else if ((sub === 'checkout' || sub === 'restore') && rest.some((r) => r === '.' || r === '--' || r === ':/' || r === '-f' || r === '--force') && !rest.includes('-b')) j.emit(inv, 'destroy.filesystem', 'medium', `git ${sub} overwrites local changes`);
    else if (sub === 'stash' && /^(drop|clear)$/.test(rest[0] ?? '')) j.emit(inv, 'destroy.filesystem', 'medium', `git stash ${rest[0] ?? ''} discards stashed work`);
    else if (sub === 'branch' && rest.some((r) => r === '-D' || /^-[a-zA-Z]*D/.test(r))) j.emit(inv, 'destroy.filesystem', 'medium', 'git branch -D deletes unmerged branches');
    else if (sub === 'push' && rest.some((r) => /^(-f|--force|--force-with-lease|--mirror|--delete|-d|--prune)(=|$)/.test(r) || /^\+|^:/.test(r))) j.emit(inv, 'destroy.cloud', 'high', 'git push rewrites or deletes remote history');
    else if (sub === 'config' && rest.some((r) => /^(core\.(pager|editor|sshCommand|fsmonitor|hooksPath)|alias\.|credential\.helper|filter\.)/i.test(r))) j.emit(inv, 'persistence', 'high', 'git config sets a command that git will run later');
    else if (sub === 'filter-branch' || sub === 'filter-repo' || (sub === 'gc' && rest.includes('--prune=now')) || (sub === 'reflog' && rest[0] === 'expire')) j.emit(inv, 'destroy.filesystem', 'medium', `git ${sub} rewrites or prunes history`);
    return;
  }
}

export const system: RuleTable = {
  'reboot poweroff halt shutdown': power,
  'init telinit'(inv, j) {
    if (/^[0156sS]$/.test(inv.args[0] ?? '')) j.emit(inv, 'system.disrupt', 'critical', `${inv.name} ${inv.args[0] ?? ''} changes the run level`);
  },
  systemctl(inv, j) {
    const ops = inv.args.filter((a) => !a.startsWith('-'));
    const [verb = '', ...units] = ops;
    unitVerb(j, inv, verb, units);
  },
  service(inv, j) {
    const [unit = '', verb = ''] = inv.args.filter((a) => !a.startsWith('-'));
    unitVerb(j, inv, verb, [unit]);
  },
  'update-rc.d chkconfig'(inv, j) {
    if (inv.args.some((a) => /^(enable|defaults|on|--add)$/.test(a))) j.emit(inv, 'persistence', 'high', `${inv.name} ${inv.args.join(' ')} adds a boot service`);
    if (inv.args.some((a) => /^(disable|remove|off|--del)$/.test(a))) j.emit(inv, 'system.disrupt', 'medium', `${inv.name} ${inv.args.join(' ')} removes a boot service`);
  },
  'kill pkill killall skill xkill'(inv, j) {
    if (inv.args.some((a) => a === '-l' || a === '-L' || a === '--list' || a === '-0' || a === '--help')) return;
    const ops = inv.args.filter((a) => !a.startsWith('-'));
    const init = ops.includes('1') || inv.args.includes('-1');
    j.emit(inv, 'system.disrupt', init ? 'critical' : 'high', `${inv.name} ${inv.args.join(' ')} kills processes`);
  },
  'iptables ip6tables iptables-legacy iptables-nft ebtables arptables'(inv, j) {
    if (inv.args.some((a) => /^-[a-zA-Z]*[LS]$|^--list|^--list-rules|^-C$|^--check/.test(a)) && !inv.args.some((a) => /^-(F|X|P|A|I|D|R|Z|N)$/.test(a))) return;
    j.emit(inv, 'system.disrupt', 'high', `${inv.name} ${inv.args.join(' ')} changes the firewall`);
  },
  'nft ufw firewall-cmd pfctl'(inv, j) {
    if (inv.args.some((a) => /^(list|status|show|--list\S*|--state|--get\S*|--query\S*|-s)$/.test(a)) || inv.args.length === 0) return;
    j.emit(inv, 'system.disrupt', 'high', `${inv.name} ${inv.args.join(' ')} changes the firewall`);
  },
  'ifdown ifconfig ip nmcli route tc'(inv, j) {
    const a = ` ${inv.args.join(' ')} `;
    if (inv.name === 'ifdown' || / (down|del|delete|flush|disconnect|off) /.test(a) || (inv.name === 'tc' && / (add|change|replace) /.test(a))) {
      j.emit(inv, 'system.disrupt', 'high', `${inv.name}${a.trimEnd()} changes networking`);
    }
  },
  'swapoff umount sysctl modprobe rmmod insmod'(inv, j) {
    if (inv.name === 'sysctl' && !inv.args.some((a) => a === '-w' || a.includes('=') || a === '-p')) return;
    j.emit(inv, inv.name === 'insmod' || inv.name === 'modprobe' ? 'privilege.escalation' : 'system.disrupt', 'medium', `${inv.name} ${inv.args.join(' ')}`);
  },
  fallocate(inv, j) {
    j.emit(inv, 'system.disrupt', 'medium', 'fallocate reserves disk space (can fill the disk)');
  },
  'apt apt-get yum dnf zypper pacman apk pip pip3 npm'(inv, j) {
    const v = inv.args.find((a) => !a.startsWith('-')) ?? '';
    if (/^(remove|purge|autoremove|erase|uninstall|del)$/.test(v) || (inv.name === 'pacman' && inv.args.some((a) => /^-R/.test(a)))) {
      j.emit(inv, 'system.disrupt', 'medium', `${inv.name} ${v} removes installed software`);
    }
  },
  'crontab at batch'(inv, j) {
    if (inv.name === 'crontab') {
      if (inv.args.some((a) => a === '-l')) return;
      if (inv.args.some((a) => a === '-r')) j.emit(inv, 'system.disrupt', 'high', 'crontab -r deletes scheduled jobs');
      else j.emit(inv, 'persistence', 'high', `crontab ${inv.args.join(' ')} installs scheduled jobs`.trim());
      return;
    }
    if (inv.args.some((a) => a === '-l' || a === '-d' || a === '-r')) return;
    j.emit(inv, 'persistence', 'high', `${inv.name} schedules a command to run later`);
  },
  'useradd adduser chpasswd newusers passwd'(inv, j) {
    if (inv.name === 'passwd' && inv.args.some((a) => a === '-S' || a === '--status')) return;
    if (inv.name === 'adduser' && inv.args.filter((a) => !a.startsWith('-')).length === 2 && PRIV_GROUPS.test(inv.args[inv.args.length - 1] ?? '')) {
      j.emit(inv, 'privilege.escalation', 'critical', `adduser adds a user to ${inv.args[inv.args.length - 1] ?? ''}`);
      return;
    }
    j.emit(inv, 'persistence', 'high', `${inv.name} ${inv.args.join(' ')} creates an account or sets credentials`.trim());
    if (inv.args.some((a, i) => (a === '-G' || a === '--groups') && PRIV_GROUPS.test(inv.args[i + 1] ?? '')) || inv.args.some((a) => a === '-o' || a === '--non-unique')) {
      j.emit(inv, 'privilege.escalation', 'critical', `${inv.name} creates an account with admin rights`);
    }
  },
  'usermod gpasswd'(inv, j) {
    const s = inv.args.join(' ');
    if (/(^| )(-[a-zA-Z]*G|--groups|-a|--append|-u|--uid|-o|-M)( |$)/.test(s) && (PRIV_GROUPS.test(inv.args.find((a, i) => /^-[a-zA-Z]*G$|^--groups$|^-a$|^-M$/.test(inv.args[i - 1] ?? '')) ?? '') || /-u 0\b|--uid 0\b/.test(s))) {
      j.emit(inv, 'privilege.escalation', 'critical', `${inv.name} ${s} grants admin rights`);
    } else if (inv.args.length > 0) j.emit(inv, 'persistence', 'medium', `${inv.name} ${s} changes an account`);
  },
  'userdel deluser groupdel'(inv, j) {
    j.emit(inv, 'system.disrupt', 'medium', `${inv.name} ${inv.args.join(' ')} removes an account`);
  },
  visudo(inv, j) {
    if (!inv.args.includes('-c')) j.emit(inv, 'privilege.escalation', 'critical', 'visudo edits sudo rights');
  },
  'setcap'(inv, j) {
    j.emit(inv, 'privilege.escalation', 'critical', `setcap ${inv.args.join(' ')} grants capabilities to a program`);
  },
  'auditctl'(inv, j) {
    if (inv.args.some((a) => a === '-D' || a === '-d' || a === '-W') || (inv.args.includes('-e') && inv.args[inv.args.indexOf('-e') + 1] === '0')) j.emit(inv, 'audit.tamper', 'critical', 'auditctl removes audit rules or disables auditing');
  },
  journalctl(inv, j) {
    if (inv.args.some((a) => /^--(vacuum-\w+|rotate|relinquish-var)/.test(a))) j.emit(inv, 'audit.tamper', 'high', `journalctl ${inv.args.join(' ')} deletes journal entries`);
  },
  'logrotate'(inv, j) {
    if (inv.args.some((a) => a === '-f' || a === '--force')) j.emit(inv, 'audit.tamper', 'low', 'logrotate -f rotates logs now');
  },
  'launchctl'(inv, j) {
    if (inv.args.some((a) => /^(load|bootstrap|enable|submit)$/.test(a))) j.emit(inv, 'persistence', 'high', 'launchctl loads a job that runs later');
  },
  'mount'(inv, j) {
    if (inv.args.some((a) => /remount|bind/.test(a))) j.emit(inv, 'system.disrupt', 'medium', `mount ${inv.args.join(' ')}`);
  },
  'ln'(inv, j) {
    const ops = inv.args.filter((a) => !a.startsWith('-'));
    if (ops[0] === '/dev/null' && ops[1] !== undefined) judgeWrite(j, inv, ops[1], 'truncate', true);
  },
  git: gitRule,
};
