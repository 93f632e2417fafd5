/** Kubernetes, Helm and containers: deletions, scale-downs and drains, secret reads, privileged
 * containers, admin role bindings, and the commands run by `kubectl exec` / `docker exec|run`
 * (judged as if typed). A dry run counts only when its flag value really prevents the change. */
import type { Judge } from '../judge.js';
import type { Invocation } from '../invocation.js';
import { parseArgs, value } from '../invocation.js';
import { runInner } from './index.js';
import type { RuleTable } from './table.js';

const KUBE_VALUED = ['-n', '--namespace', '-l', '--selector', '-o', '--output', '-f', '--filename', '-c', '--container', '--context',
  '--cluster', '--kubeconfig', '--user', '-s', '--server', '--token', '--as', '--as-group', '--field-selector', '--grace-period',
  '--timeout', '-p', '--patch', '--type', '--replicas', '--image', '-L', '--label-columns', '--sort-by', '--template', '--tail',
  '--since', '--clusterrole', '--role', '--serviceaccount', '--dry-run', '--request-timeout', '-k', '--kustomize', '--chunk-size'];

/** `--dry-run`, `--dry-run=client|server|true`: prevents the change. `none`/`false`/other: does not. */
export function kubeDryRun(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--dry-run') return true;
    const m = /^--dry-run=(.*)$/.exec(a);
    if (m) return /^(client|server|true)$/.test(m[1] ?? '');
  }
  return false;
}

const DISRUPT_KINDS = /^(pods?|po|jobs?|replicasets?|rs)(\/|$)/;

function kubectl(inv: Invocation, j: Judge): void {
  const p = parseArgs(inv.args, { valued: KUBE_VALUED });
  const [verb = '', ...ops] = p.positionals;
  const line = `${inv.name} ${p.positionals.slice(0, 3).join(' ')}`;
  const dry = kubeDryRun(inv.args);
  const ns = value(p, '-n', '--namespace');
  const all = inv.args.some((a) => a === '--all' || a === '-A' || a === '--all-namespaces');
  if (verb === 'exec' || verb === 'debug' || verb === 'attach') {
    const dd = inv.args.indexOf('--');
    if (dd >= 0 && dd + 1 < inv.args.length) runInner(j, inv, dd + 1, `${inv.name} ${verb} ${ops[0] ?? ''}`.trim(), { stdin: inv.stdin });
    else if (verb === 'exec' && ops.length > 1) runInner(j, inv, (p.positionalIdx[2] ?? inv.args.length) , `${inv.name} exec ${ops[0] ?? ''}`);
    else j.interactive.add(`${inv.name} ${verb}`);
    if (verb === 'debug' && inv.args.some((a) => /^node\//.test(a) || a === '--profile=sysadmin')) j.emit(inv, 'privilege.escalation', 'critical', 'kubectl debug node gives a root shell on the node');
    return;
  }
  if (dry) return;
  if (verb === 'delete') {
    const kind = (ops[0] ?? '').toLowerCase();
    if (inv.args.some((a) => a === '-f' || a.startsWith('--filename') || a === '-k' || a.startsWith('-f'))) {
      j.emit(inv, 'destroy.cloud', 'critical', `${line} deletes every resource defined in the given manifests`);
    } else if (DISRUPT_KINDS.test(kind)) {
      j.emit(inv, 'system.disrupt', all || ops.length < 2 ? 'high' : 'medium', `${line}${all ? ' --all' : ''} kills running workloads`);
    } else if (/secret/.test(kind)) {
      j.emit(inv, 'destroy.cloud', 'high', `${line} deletes secrets`);
    } else {
      j.emit(inv, 'destroy.cloud', /^(ns|namespaces?|nodes?|pv|persistentvolumes?|pvc|persistentvolumeclaims?|crds?|customresourcedefinitions?)(\/|$)/.test(kind) || all ? 'critical' : 'high', `${line}${ns ? ` in ${ns}` : ''} deletes cluster resources`);
    }
    return;
  }
  const kind0 = (ops[0] ?? '').toLowerCase();
  if (verb === 'view-secret' || (verb === 'get' && /^secrets?(\/|$)/.test(kind0))) {
    const out = value(p, '-o', '--output') ?? '';
    const reveals = verb === 'view-secret' || /^(json|yaml|go-template|template)/.test(out) || (/^(jsonpath|custom-columns)/.test(out) && /\.data|stringData|\{\.?\}|\.items\[\*\]\}/.test(out));
    if (reveals) j.emit(inv, 'secrets.read', 'high', `${line} -o ${out || 'values'} prints secret values`);
    return;
  }
  if (verb === 'config' && ops[0] === 'view' && inv.args.includes('--raw')) j.emit(inv, 'secrets.read', 'high', 'kubectl config view --raw prints cluster credentials');
  if (verb === 'create' && ops[0] === 'token') j.emit(inv, 'secrets.read', 'high', 'kubectl create token mints a service-account token');
  if (verb === 'scale' && /^0$/.test(value(p, '--replicas') ?? '')) j.emit(inv, 'system.disrupt', 'high', `${line} --replicas=0 stops the workload`);
  if (verb === 'drain' || verb === 'cordon' || verb === 'taint') j.emit(inv, 'system.disrupt', verb === 'drain' ? 'high' : 'medium', `${line} takes nodes out of service`);
  if (verb === 'rollout' && /^(restart|undo|pause)$/.test(ops[0] ?? '')) j.emit(inv, 'system.disrupt', 'low', `${line} restarts or rolls back workloads`);
  if (verb === 'create' && /rolebinding/.test(ops[0] ?? '') && /cluster-admin|admin|edit/.test(inv.args.join(' '))) {
    j.emit(inv, 'privilege.escalation', 'critical', `${line} binds an admin role`);
  }
  if (verb === 'create' && ops[0] === 'cronjob') j.emit(inv, 'persistence', 'medium', `${line} schedules a recurring job`);
  if (verb === 'apply' && inv.args.some((a) => a.startsWith('--prune'))) j.emit(inv, 'destroy.cloud', 'high', 'kubectl apply --prune deletes resources missing from the manifests');
  if (verb === 'replace' && inv.args.includes('--force')) j.emit(inv, 'destroy.cloud', 'medium', 'kubectl replace --force deletes and recreates resources');
  if (verb === 'cp') j.emit(inv, 'exfiltration', 'medium', `${line} copies files between the host and a pod`);
}

function helm(inv: Invocation, j: Judge): void {
  const p = parseArgs(inv.args, { valued: ['-n', '--namespace', '--kube-context', '--kubeconfig', '-f', '--values', '--set', '--version', '--timeout', '-o', '--output'] });
  const [verb = '', ...ops] = p.positionals;
  if (inv.args.some((a) => a === '--dry-run' || /^--dry-run=(client|server|true)$/.test(a))) return;
  if (/^(uninstall|delete|del|un)$/.test(verb)) j.emit(inv, 'destroy.cloud', 'critical', `helm ${verb} ${ops.join(' ')} removes a release and its resources`);
  else if (verb === 'rollback') j.emit(inv, 'system.disrupt', 'medium', `helm rollback ${ops.join(' ')}`);
  else if (verb === 'get' && ops[0] === 'values' && inv.args.includes('--all')) j.emit(inv, 'secrets.read', 'medium', 'helm get values --all prints values, secrets included');
}

const DOCKER_VALUED = ['-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '-v', '--volume', '--name', '-p', '--publish',
  '--network', '--net', '--entrypoint', '-h', '--hostname', '--mount', '--cap-add', '--cap-drop', '--security-opt', '--pid',
  '--ipc', '--uts', '--userns', '--device', '-m', '--memory', '--cpus', '--restart', '-l', '--label', '--platform', '--log-driver',
  '--add-host', '--dns', '--tmpfs', '--ulimit', '--gpus', '--runtime', '-a', '--attach', '--detach-keys', '--pull', '--cidfile', '--group-add', '--health-cmd'];

function privileged(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1] ?? '';
    if (a === '--privileged' || a === '--privileged=true') return '--privileged';
    if (/^--(pid|net|network|ipc|uts|userns)(=|$)/.test(a) && v === 'host') return `${a.split('=')[0] ?? a}=host`;
    if (/^--cap-add(=|$)/.test(a) && /ALL|SYS_ADMIN|SYS_PTRACE|SYS_MODULE|DAC_READ_SEARCH|NET_ADMIN/i.test(v)) return `--cap-add=${v}`;
    if (/^--security-opt(=|$)/.test(a) && /unconfined|disable/.test(v)) return `--security-opt=${v}`;
    if (/^(-v|--volume|--mount)(=|$)/.test(a) && /^(\/|\/etc|\/root|\/var\/run\/docker\.sock|\/run\/docker\.sock|\/proc|\/sys|\/dev|\/boot):|source=\/(,|$)|source=\/var\/run\/docker\.sock/.test(v)) return `-v ${v}`;
    if (a === '--device' || a.startsWith('--device=')) return `--device ${v}`;
  }
  return undefined;
}

function docker(inv: Invocation, j: Judge): void {
  const args = inv.args[0] === 'container' ? inv.args.slice(1) : inv.args;
  const verb = args[0] ?? '';
  if (verb === 'exec' || verb === 'run' || verb === 'create') {
    const sub = args.slice(1);
    const p = parseArgs(sub, { valued: DOCKER_VALUED }, true);
    const priv = privileged(sub);
    if (priv !== undefined) j.emit(inv, 'privilege.escalation', 'critical', `${inv.name} ${verb} ${priv} gives the container control of the host`);
    const target = p.positionalIdx[0];
    const offset = inv.args.length - sub.length;
    if (target !== undefined && target + 1 < sub.length) {
      runInner(j, inv, offset + target + 1, `${inv.name} ${verb} ${p.positionals[0] ?? ''}`);
    } else if (sub.some((a) => /^-[a-z]*t/.test(a))) j.interactive.add(`${inv.name} ${verb}`);
    return;
  }
  if (/^(rm|rmi|kill|stop)$/.test(verb) || (verb === 'system' || verb === 'volume' || verb === 'image' || verb === 'network' || verb === 'container') && /^(prune|rm)$/.test(args[1] ?? '')) {
    const vol = verb === 'volume' || args.includes('--volumes') || (verb === 'rm' && args.some((a) => /^-[a-z]*v/.test(a)));
    j.emit(inv, vol ? 'destroy.filesystem' : 'system.disrupt', vol ? 'high' : 'medium', `${inv.name} ${args.slice(0, 2).join(' ')} ${vol ? 'deletes volumes and their data' : 'stops or removes containers'}`);
    return;
  }
  if (verb === 'compose' || inv.name === 'docker-compose') {
    const c = inv.name === 'docker-compose' ? args : args.slice(1);
    if (c[0] === 'down' || c[0] === 'rm' || c[0] === 'stop' || c[0] === 'kill') j.emit(inv, c.includes('-v') || c.includes('--volumes') ? 'destroy.filesystem' : 'system.disrupt', 'medium', `${inv.name} ${c.slice(0, 2).join(' ')} stops the application`);
    if (c[0] === 'exec' || c[0] === 'run') {
      const p = parseArgs(c.slice(1), { valued: DOCKER_VALUED }, true);
      const t = p.positionalIdx[0];
      if (t !== undefined) runInner(j, inv, inv.args.length - c.length + 1 + t + 1, `${inv.name} ${c[0]} ${p.positionals[0] ?? ''}`);
    }
  }
  if (verb === 'push') j.emit(inv, 'exfiltration', 'low', `${inv.name} push uploads an image to a registry`);
}

export const cluster: RuleTable = {
  'kubectl oc k3s-kubectl': kubectl,
  helm,
  'docker podman nerdctl docker-compose': docker,
};
