/** Cloud CLIs and infrastructure as code: aws, gcloud/gsutil, az, terraform/tofu, pulumi, s3cmd,
 * rclone. Verbs are read from the subcommand (delete-*, terminate-*, destroy) and flag values
 * (`--dry-run`, `--recursive`, `--acl public-read`) are read, not just flag names. */
import type { Judge } from '../judge.js';
import type { Invocation } from '../invocation.js';
import type { RuleTable } from './table.js';
import { isRemoteSpec } from './network.js';

function positionals(args: readonly string[]): string[] {
  return args.filter((a) => !a.startsWith('-'));
}

const AUDIT_SERVICES = /^(cloudtrail|logs|config|guardduty|securityhub|access-analyzer)$/;

function awsS3(j: Judge, inv: Invocation, verb: string, ops: string[]): void {
  const recursive = inv.args.includes('--recursive') || inv.args.includes('--force');
  const dry = inv.args.includes('--dryrun');
  if (dry) return;
  const s3 = (x: string): boolean => x.startsWith('s3://');
  if (verb === 'rm') j.emit(inv, recursive ? 'bulk.delete' : 'destroy.cloud', recursive ? 'critical' : 'medium', `aws s3 rm ${recursive ? '--recursive ' : ''}${ops.join(' ')}`);
  else if (verb === 'rb') j.emit(inv, 'destroy.cloud', inv.args.includes('--force') ? 'critical' : 'high', `aws s3 rb deletes the bucket ${ops.join(' ')}`);
  else if (verb === 'sync' && inv.args.includes('--delete')) j.emit(inv, 'bulk.delete', 'high', `aws s3 sync --delete removes objects missing from ${ops[0] ?? 'the source'}`);
  if ((verb === 'cp' || verb === 'mv' || verb === 'sync') && ops.length >= 2 && !s3(ops[0] as string) && s3(ops[ops.length - 1] as string)) {
    j.emit(inv, 'exfiltration', 'high', `aws s3 ${verb} uploads ${ops[0] ?? ''} to ${ops[ops.length - 1] ?? ''}`, { paths: [ops[0] as string] });
  }
  if (inv.args.some((a, i) => (a === '--acl' && /public/.test(inv.args[i + 1] ?? '')) || /^--acl=.*public/.test(a))) {
    j.emit(inv, 'exfiltration', 'high', 'aws s3 makes objects public');
  }
  if (verb === 'presign') j.emit(inv, 'exfiltration', 'medium', 'aws s3 presign shares an object by URL');
}

const AWS_FLAGS = new Set(['--debug', '--no-verify-ssl', '--no-paginate', '--no-sign-request', '--no-cli-pager', '--recursive', '--force',
  '--dryrun', '--dry-run', '--no-dry-run', '--delete', '--quiet', '--with-decryption', '--no-with-decryption', '--skip-final-snapshot',
  '--follow-symlinks', '--no-follow-symlinks', '--exact-timestamps', '--size-only', '--only-show-errors', '--human-readable', '--summarize']);

/** Operands of an aws command line: words that are not options nor option values. */
function awsOperands(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith('--')) {
      if (!a.includes('=') && !AWS_FLAGS.has(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

function aws(inv: Invocation, j: Judge): void {
  const ops = awsOperands(inv.args);
  const [service = '', verb = ''] = ops;
  const v = verb.toLowerCase();
  if (inv.args.includes('--dry-run') && !inv.args.includes('--no-dry-run')) return;
  if (service === 's3') return awsS3(j, inv, v, ops.slice(2));
  const line = `aws ${service} ${verb}`;
  if (service === 'configure' && (v === 'get' ? /secret|token|key_id/i.test(ops[2] ?? '') : v === 'export-credentials')) {
    j.emit(inv, 'secrets.read', 'high', `${line} prints credentials`);
    return;
  }
  if ((service === 'secretsmanager' && /^get-secret-value|batch-get-secret-value$/.test(v)) ||
    (service === 'ssm' && /^get-parameters?(-by-path)?$/.test(v) && inv.args.some((a) => a === '--with-decryption')) ||
    (service === 'sts' && /^(get-session-token|assume-role\S*|get-federation-token)$/.test(v)) ||
    (service === 'ecr' && v === 'get-login-password') || (service === 'kms' && v === 'decrypt') ||
    (service === 'rds' && v === 'generate-db-auth-token') || (service === 'iam' && v === 'get-login-profile')) {
    j.emit(inv, 'secrets.read', 'high', `${line} returns secret values or credentials`);
    return;
  }
  if (AUDIT_SERVICES.test(service) && /^(delete|stop|update|put-event-selectors|disable|remove)/.test(v)) {
    j.emit(inv, 'audit.tamper', 'critical', `${line} disables or deletes an audit trail or logs`);
    return;
  }
  if (service === 'iam' || service === 'organizations' || service === 'sso-admin') {
    if (/^(put-(user|role|group)-policy|attach-(user|role|group)-policy|create-policy-version|set-default-policy-version|add-user-to-group|update-assume-role-policy|put-(user|role)-permissions-boundary)$/.test(v)) {
      j.emit(inv, 'privilege.escalation', 'critical', `${line} grants IAM permissions`);
      return;
    }
    if (/^(create-user|create-access-key|create-login-profile|update-login-profile|create-service-specific-credential|upload-ssh-public-key)$/.test(v)) {
      j.emit(inv, 'persistence', 'high', `${line} creates an account or credentials`);
      return;
    }
  }
  if (/^(modify-snapshot-attribute|modify-image-attribute|modify-db-snapshot-attribute|modify-db-cluster-snapshot-attribute)$/.test(v) && inv.args.some((a) => /add|all/i.test(a))) {
    j.emit(inv, 'exfiltration', 'high', `${line} shares a snapshot or image with another account`);
    return;
  }
  if (service === 's3api' && /^put-(bucket|object)-(acl|policy)$|^delete-public-access-block$|^put-public-access-block$/.test(v)) {
    j.emit(inv, 'exfiltration', 'high', `${line} changes who can read the data`);
    return;
  }
  if (/^(delete|terminate|remove|deregister|purge|destroy|cancel)/.test(v)) {
    j.emit(inv, /^delete-objects?$/.test(v) ? 'bulk.delete' : 'destroy.cloud', 'high', `${line} deletes cloud resources`);
  } else if (/^(stop|reboot)-/.test(v) || (/^(update-service|set-desired-capacity|update-auto-scaling-group|scale)/.test(v) && inv.args.some((a) => /^0$|=0$/.test(a)))) {
    j.emit(inv, 'system.disrupt', 'high', `${line} stops or scales down running services`);
  } else if (/^(put|attach|authorize|create|modify|update|revoke|detach|disable|enable|associate|replace|set|reset|restore|run|start|invoke|publish|send|import|upload|tag|untag)/.test(v)) {
    if (/^(authorize-security-group-ingress)$/.test(v) && inv.args.some((a) => a.includes('0.0.0.0/0'))) j.emit(inv, 'exfiltration', 'high', `${line} opens access from the whole internet`);
  }
}

function gcloud(inv: Invocation, j: Judge): void {
  const ops = positionals(inv.args);
  const line = `gcloud ${ops.slice(0, 4).join(' ')}`;
  const joined = ` ${ops.join(' ')} `;
  if (/ auth (application-default )?print-(access|identity)-token | secrets versions access | sql users set-password /.test(joined) || / iam service-accounts keys create /.test(joined)) {
    j.emit(inv, / keys create /.test(joined) ? 'persistence' : 'secrets.read', 'high', `${line} returns or creates credentials`);
    return;
  }
  if (/ logging (sinks|logs|buckets) delete /.test(joined)) {
    j.emit(inv, 'audit.tamper', 'critical', `${line} deletes logs or log routing`);
    return;
  }
  if (/ add-iam-policy-binding /.test(joined)) {
    const role = inv.args.find((a) => a.startsWith('--role'))?.split('=')[1] ?? inv.args[inv.args.indexOf('--role') + 1] ?? '';
    const member = inv.args.join(' ');
    if (/allUsers|allAuthenticatedUsers/.test(member)) j.emit(inv, 'exfiltration', 'high', `${line} makes a resource public`);
    else if (/owner|editor|admin/i.test(role)) j.emit(inv, 'privilege.escalation', 'critical', `${line} grants ${role}`);
    return;
  }
  if (/ (delete|destroy|remove) /.test(joined) && !inv.args.includes('--help')) j.emit(inv, 'destroy.cloud', 'high', `${line} deletes cloud resources`);
  else if (/ (stop|reset|suspend) /.test(joined) || / resize .*--size[= ]0\b/.test(`${joined} ${inv.args.join(' ')}`)) j.emit(inv, 'system.disrupt', 'high', `${line} stops running services`);
}

function gsutil(inv: Invocation, j: Judge): void {
  const ops = positionals(inv.args);
  const verb = ops[0] ?? '';
  const recursive = inv.args.some((a) => /^-[a-zA-Z]*[rR]/.test(a)) || ops.some((o) => /\*\*?$/.test(o));
  if (verb === 'rm') j.emit(inv, recursive ? 'bulk.delete' : 'destroy.cloud', recursive ? 'critical' : 'medium', `gsutil rm ${recursive ? '-r ' : ''}${ops.slice(1).join(' ')}`);
  else if (verb === 'rb') j.emit(inv, 'destroy.cloud', 'critical', `gsutil rb deletes ${ops.slice(1).join(' ')}`);
  else if ((verb === 'cp' || verb === 'mv' || verb === 'rsync') && ops.length >= 3 && !(ops[1] as string).startsWith('gs://') && (ops[ops.length - 1] as string).startsWith('gs://')) {
    j.emit(inv, 'exfiltration', 'high', `gsutil ${verb} uploads ${ops[1] ?? ''} to ${ops[ops.length - 1] ?? ''}`);
  } else if (verb === 'rsync' && inv.args.includes('-d')) j.emit(inv, 'bulk.delete', 'high', 'gsutil rsync -d deletes objects missing from the source');
  if ((verb === 'acl' || verb === 'iam') && /allUsers|AllUsers|allAuthenticatedUsers/.test(inv.args.join(' '))) j.emit(inv, 'exfiltration', 'high', 'gsutil makes data public');
}

function az(inv: Invocation, j: Judge): void {
  const ops = positionals(inv.args);
  const joined = ` ${ops.join(' ')} `;
  const line = `az ${ops.slice(0, 4).join(' ')}`;
  if (/ account get-access-token | keyvault secret (show|download) | storage account keys list | aks get-credentials .*| acr credential show | webapp deployment list-publishing-credentials /.test(joined) && !(/ aks get-credentials /.test(joined) && !inv.args.includes('--admin'))) {
    j.emit(inv, 'secrets.read', 'high', `${line} returns credentials or secret values`);
    return;
  }
  if (/ monitor (diagnostic-settings|log-profiles|activity-log) .*delete /.test(joined)) {
    j.emit(inv, 'audit.tamper', 'critical', `${line} deletes audit log settings`);
    return;
  }
  if (/ role assignment create /.test(joined) && /owner|contributor|admin/i.test(inv.args.join(' '))) {
    j.emit(inv, 'privilege.escalation', 'critical', `${line} grants a privileged role`);
    return;
  }
  if (/ ad (user|sp) create | ad app credential reset | ad sp credential reset /.test(joined)) {
    j.emit(inv, 'persistence', 'high', `${line} creates an identity or credentials`);
    return;
  }
  if (/ (delete|purge|remove) /.test(joined)) j.emit(inv, 'destroy.cloud', 'high', `${line} deletes cloud resources`);
  else if (/ (stop|deallocate|restart) /.test(joined)) j.emit(inv, 'system.disrupt', 'high', `${line} stops running services`);
}

function terraform(inv: Invocation, j: Judge): void {
  const ops = positionals(inv.args);
  const verb = ops[0] ?? '';
  const line = `${inv.name} ${ops.slice(0, 3).join(' ')}`;
  if (verb === 'destroy' || (verb === 'apply' && inv.args.some((a) => a === '-destroy' || a === '--destroy'))) {
    j.emit(inv, 'destroy.cloud', 'critical', `${line} destroys the managed infrastructure`);
  } else if (verb === 'apply') {
    j.emit(inv, 'destroy.cloud', 'medium', `${line} applies infrastructure changes that may replace or delete resources`);
  } else if (verb === 'state' && /^(rm|mv|push|replace-provider)$/.test(ops[1] ?? '')) {
    j.emit(inv, 'destroy.cloud', 'medium', `${line} rewrites the infrastructure state`);
  } else if (verb === 'workspace' && ops[1] === 'delete') {
    j.emit(inv, 'destroy.cloud', 'high', `${line} deletes a workspace and its state`);
  } else if (verb === 'force-unlock' || verb === 'taint') {
    j.emit(inv, 'destroy.cloud', 'medium', `${line} forces a state change`);
  } else if (verb === 'output' && inv.args.some((a) => a === '-raw' || a === '-json')) {
    j.emit(inv, 'secrets.read', 'medium', `${line} may print sensitive outputs`);
  }
}

export const cloud: RuleTable = {
  aws,
  gcloud,
  gsutil,
  az,
  'terraform tofu terragrunt': terraform,
  pulumi(inv, j) {
    const v = positionals(inv.args)[0];
    if (v === 'destroy') j.emit(inv, 'destroy.cloud', 'critical', 'pulumi destroy deletes the stack resources');
    else if (v === 'up' || v === 'update') j.emit(inv, 'destroy.cloud', 'medium', 'pulumi up applies infrastructure changes');
  },
  s3cmd(inv, j) {
    const v = positionals(inv.args)[0] ?? '';
    const recursive = inv.args.some((a) => /^(-r|--recursive|--force)$/.test(a));
    if (/^(del|rm|rb|delete)$/.test(v)) j.emit(inv, recursive ? 'bulk.delete' : 'destroy.cloud', recursive ? 'critical' : 'high', `s3cmd ${v} ${recursive ? 'recursively ' : ''}deletes objects`);
    else if (v === 'sync' && inv.args.some((a) => a.startsWith('--delete'))) j.emit(inv, 'bulk.delete', 'high', 's3cmd sync --delete-removed deletes objects');
    else if (v === 'put' || (v === 'sync' && (positionals(inv.args)[2] ?? '').startsWith('s3://'))) j.emit(inv, 'exfiltration', 'high', `s3cmd ${v} uploads data`);
    if (inv.args.includes('setacl') && inv.args.includes('--acl-public')) j.emit(inv, 'exfiltration', 'high', 's3cmd makes objects public');
  },
  rclone(inv, j) {
    const ops = positionals(inv.args);
    const v = ops[0] ?? '';
    if (inv.args.includes('--dry-run') || inv.args.includes('-n')) return;
    if (/^(purge|delete|deletefile|rmdir|rmdirs)$/.test(v)) j.emit(inv, v === 'purge' || v === 'delete' ? 'bulk.delete' : 'destroy.cloud', 'high', `rclone ${v} deletes remote data`);
    if (/^(copy|sync|move|copyto|moveto)$/.test(v) && ops.length >= 3 && isRemoteSpec(ops[ops.length - 1] as string) && !isRemoteSpec(ops[1] as string)) {
      j.emit(inv, 'exfiltration', 'high', `rclone ${v} uploads ${ops[1] ?? ''} to ${ops[ops.length - 1] ?? ''}`);
    }
    if (v === 'sync' && !isRemoteSpec(ops[ops.length - 1] as string)) j.emit(inv, 'destroy.filesystem', 'medium', 'rclone sync deletes local files missing from the source');
  },
  doctl(inv, j) {
    if (inv.args.some((a) => a === 'delete' || a === 'rm')) j.emit(inv, 'destroy.cloud', 'high', `doctl ${positionals(inv.args).slice(0, 3).join(' ')} deletes cloud resources`);
  },
};
