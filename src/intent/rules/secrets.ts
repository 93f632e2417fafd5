/** Secret values reached through commands rather than paths: environment dumps, secret
 * managers, password stores, decryption. (Secret files are judged for every program in
 * rules/index.ts; Kubernetes and cloud secrets live with their CLIs.) */
import type { RuleTable } from './table.js';
import { UNKNOWN } from '../types.js';

const SECRET_NAME = /SECRET|TOKEN|PASSW|PASSWD|API_?KEY|PRIVATE|CREDENTIAL|AUTH|SESSION|_KEY$|^KEY$/i;

export const secrets: RuleTable = {
  printenv(inv, j) {
    const names = inv.args.filter((a) => !a.startsWith('-'));
    if (names.length === 0) j.emit(inv, 'secrets.read', 'high', 'printenv prints the whole environment, which may hold tokens');
    else if (names.some((n) => SECRET_NAME.test(n) || n.includes(UNKNOWN))) j.emit(inv, 'secrets.read', 'high', `printenv ${names.join(' ')} prints a secret variable`);
  },
  'echo printf'(inv, j) {
    const leaked = inv.argv.slice(1).flatMap((w) => [...w.raw.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? ''));
    const bad = leaked.filter((n) => SECRET_NAME.test(n));
    if (bad.length > 0) j.emit(inv, 'secrets.read', 'medium', `${inv.name} prints ${bad.map((b) => `$${b}`).join(' ')}`);
  },
  vault(inv, j) {
    const ops = inv.args.filter((a) => !a.startsWith('-'));
    const s = ` ${ops.slice(0, 3).join(' ')} `;
    if (/^ (read|unwrap) | kv (get|metadata get) | print token | token lookup | token create | write .*\/creds\//.test(s) || /^ (read|kv get)/.test(s)) {
      j.emit(inv, 'secrets.read', 'high', `vault ${ops.slice(0, 3).join(' ')} returns secret values`);
    } else if (/ kv (delete|destroy|metadata delete) | delete /.test(` ${ops.join(' ')} `)) {
      j.emit(inv, 'destroy.database', 'high', `vault ${ops.slice(0, 3).join(' ')} deletes secrets`);
    }
  },
  'pass gopass'(inv, j) {
    const v = inv.args[0] ?? 'show';
    if (v === 'show' || !['ls', 'list', 'find', 'search', 'grep', 'init', 'git', 'help', 'version'].includes(v)) j.emit(inv, 'secrets.read', 'high', `${inv.name} ${v} prints a stored password`);
  },
  'gpg gpg2'(inv, j) {
    if (inv.args.some((a) => /^(-d|--decrypt|--export-secret-keys|--export-secret-subkeys|-[a-zA-Z]*d)$/.test(a))) j.emit(inv, 'secrets.read', 'high', `${inv.name} decrypts data or exports secret keys`);
  },
  sops(inv, j) {
    if (inv.args.some((a) => a === '-d' || a === '--decrypt' || a === 'decrypt' || a === 'exec-env' || a === 'exec-file')) j.emit(inv, 'secrets.read', 'high', 'sops decrypts secret files');
  },
  op(inv, j) {
    if (inv.args[0] === 'read' || (inv.args[0] === 'item' && inv.args[1] === 'get') || inv.args[0] === 'inject') j.emit(inv, 'secrets.read', 'high', `op ${inv.args.slice(0, 2).join(' ')} prints secret values`);
  },
  security(inv, j) {
    if (inv.args.some((a) => /^find-(generic|internet)-password$|^dump-keychain$/.test(a))) j.emit(inv, 'secrets.read', 'high', 'security reads keychain passwords');
  },
  'ansible-vault'(inv, j) {
    if (inv.args[0] === 'view' || inv.args[0] === 'decrypt') j.emit(inv, 'secrets.read', 'high', `ansible-vault ${inv.args[0]} reveals encrypted secrets`);
  },
  'docker-credential-helper docker-credential-pass docker-credential-secretservice docker-credential-osxkeychain docker-credential-desktop'(inv, j) {
    if (inv.args[0] === 'get' || inv.args[0] === 'list') j.emit(inv, 'secrets.read', 'high', `${inv.name} returns registry credentials`);
  },
};
