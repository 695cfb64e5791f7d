// sluice.toml: one file for every daemon `sluice serve` starts, with an embedded default
// that works with no file at all. Every error names the file, the line and the key.
import * as fs from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';

/** The embedded default: what `sluice serve` runs without a config file. */
export const DEFAULT_CONFIG_TEXT = `# sluice serve configuration (this is the embedded default: \`sluice serve --print-config\`)
# Relative paths: data_dir is relative to this file's directory (the current directory for
# the embedded default); paths inside [lmtp] are relative to data_dir.

data_dir = "sluice-data"
log_level = "info"              # fatal, error, warn, info, debug

[lmtp]
enabled = true
# host:port (TCP) and/or unix socket paths; Postfix: mailbox_transport = lmtp:inet:127.0.0.1:2424
listen = ["127.0.0.1:2424", "lmtp.sock"]
# virtual users, Dovecot passwd-file format  user:password:uid:gid::home::
# (created with a sample user when missing; its mail goes to home/Maildir)
passwd_file = "users"
create_sample_user = true
system_users = false            # also deliver to /etc/passwd accounts
# system_rc = "/etc/sluice/procmailrc"   # rc for users without ~/.procmailrc
recipient_delimiter = "+"
max_message_size = 52428800     # bytes; larger messages get 552
delivery_timeout = 300          # seconds per recipient, then 451 (Postfix waits 600)
workers_per_user = 4
worker_idle = 120               # seconds before an idle worker exits
socket_timeout = 300            # seconds an idle LMTP connection is kept
listener_user = "nobody"        # uid of the network-facing process when run as root
first_valid_uid = 1             # never deliver as uids below this (root)
`;

export interface LmtpConfig {
  enabled: boolean;
  listen: string[];
  passwdFile: string | undefined;
  createSampleUser: boolean;
  systemUsers: boolean;
  systemRc: string | undefined;
  recipientDelimiter: string;
  maxMessageSize: number;
  deliveryTimeout: number;
  workersPerUser: number;
  workerIdle: number;
  socketTimeout: number;
  listenerUser: string;
  firstValidUid: number;
}

export interface ServeConfig {
  /** The file read, or null for the embedded default. */
  file: string | null;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  lmtp: LmtpConfig;
}

export class ConfigError extends Error {
  constructor(readonly file: string, readonly line: number, readonly key: string, readonly problem: string) {
    super(`${file}:${line}: ${key}: ${problem}`);
  }
}

/** Line of `key` inside `[section]` ('' = top level), 0 when not written in the file. */
export function lineOf(text: string, section: string, key: string): number {
  let current = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    const header = /^\[\s*([^\]]+?)\s*\]/.exec(l);
    if (header) {
      current = header[1]!;
      if (key === '' && current === section) return i + 1;
      continue;
    }
    if (current === section && new RegExp(`^["']?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*=`).test(l)) return i + 1;
  }
  return 0;
}

type Table = Record<string, unknown>;

const TOP_KEYS = ['data_dir', 'log_level', 'lmtp'];
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

class Reader {
  constructor(readonly name: string, readonly text: string) {}

  fail(section: string, key: string, problem: string): never {
    const line = lineOf(this.text, section, key) || lineOf(this.text, section, '') || 1;
    throw new ConfigError(this.name, line, section ? `${section}.${key}` : key, problem);
  }

  unknown(t: Table, section: string, allowed: string[]): void {
    for (const k of Object.keys(t)) if (!allowed.includes(k)) this.fail(section, k, `unknown key (known: ${allowed.join(', ')})`);
  }

  str(t: Table, section: string, key: string, dflt: string): string {
    const v = t[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'string') this.fail(section, key, `expected a string, got ${typeOf(v)}`);
    return v;
  }

  optStr(t: Table, section: string, key: string): string | undefined {
    const v = t[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') this.fail(section, key, `expected a non-empty string, got ${typeOf(v)}`);
    return v;
  }

  bool(t: Table, section: string, key: string, dflt: boolean): boolean {
    const v = t[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') this.fail(section, key, `expected true or false, got ${typeOf(v)}`);
    return v;
  }

  int(t: Table, section: string, key: string, dflt: number, min: number): number {
    const v = t[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(section, key, `expected an integer, got ${typeOf(v)}`);
    if (v < min) this.fail(section, key, `must be at least ${min}`);
    return v;
  }

  strings(t: Table, section: string, key: string, dflt: string[]): string[] {
    const v = t[key];
    if (v === undefined) return dflt;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) this.fail(section, key, `expected a list of strings, got ${typeOf(v)}`);
    return v as string[];
  }
}

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  if (v !== null && typeof v === 'object') return 'a table';
  return typeof v === 'string' ? `"${v}"` : String(v);
}

const LMTP_KEYS = [
  'enabled', 'listen', 'passwd_file', 'create_sample_user', 'system_users', 'system_rc', 'recipient_delimiter',
  'max_message_size', 'delivery_timeout', 'workers_per_user', 'worker_idle', 'socket_timeout', 'listener_user', 'first_valid_uid',
];

/**
 * Parses and checks a configuration text. `name` is what errors call the file; `baseDir`
 * anchors a relative data_dir. Keys missing from the text take the embedded default's values.
 */
export function parseConfig(text: string, name: string, baseDir: string, file: string | null): ServeConfig {
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch (err) {
    if (err instanceof TomlError) {
      throw new ConfigError(name, err.line, lineKey(text, err.line), err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, ''));
    }
    throw err;
  }
  const r = new Reader(name, text);
  r.unknown(doc, '', TOP_KEYS);
  const dataDir = resolve(baseDir, r.str(doc, '', 'data_dir', 'sluice-data'));
  const level = r.str(doc, '', 'log_level', 'info');
  if (!(LEVELS as readonly string[]).includes(level)) r.fail('', 'log_level', `unknown level "${level}" (${LEVELS.join(', ')})`);
  const lm = doc.lmtp ?? {};
  if (typeof lm !== 'object' || Array.isArray(lm) || lm instanceof Date) r.fail('', 'lmtp', 'expected a table [lmtp]');
  const t = lm as Table;
  r.unknown(t, 'lmtp', LMTP_KEYS);
  const inData = (p: string) => (isAbsolute(p) ? p : resolve(dataDir, p));
  const listen = r.strings(t, 'lmtp', 'listen', ['127.0.0.1:2424', 'lmtp.sock']).map((a) => {
    const isPath = a.includes('/') || a.endsWith('.sock');
    if (!isPath && !/^(\[[^\]]+\]|[^:]*):\d+$/.test(a)) r.fail('lmtp', 'listen', `"${a}" is neither host:port nor a socket path`);
    if (!isPath && Number(a.slice(a.lastIndexOf(':') + 1)) > 65535) r.fail('lmtp', 'listen', `"${a}": port out of range`);
    return isPath ? inData(a) : a;
  });
  const enabled = r.bool(t, 'lmtp', 'enabled', true);
  if (enabled && !listen.length) r.fail('lmtp', 'listen', 'at least one address is needed when enabled');
  const passwd = r.optStr(t, 'lmtp', 'passwd_file');
  const systemRc = r.optStr(t, 'lmtp', 'system_rc');
  const lmtp: LmtpConfig = {
    enabled,
    listen,
    passwdFile: passwd === undefined ? undefined : inData(passwd),
    createSampleUser: r.bool(t, 'lmtp', 'create_sample_user', file === null),
    systemUsers: r.bool(t, 'lmtp', 'system_users', false),
    systemRc: systemRc === undefined ? undefined : inData(systemRc),
    recipientDelimiter: r.str(t, 'lmtp', 'recipient_delimiter', '+'),
    maxMessageSize: r.int(t, 'lmtp', 'max_message_size', 52428800, 1024),
    deliveryTimeout: r.int(t, 'lmtp', 'delivery_timeout', 300, 1),
    workersPerUser: r.int(t, 'lmtp', 'workers_per_user', 4, 1),
    workerIdle: r.int(t, 'lmtp', 'worker_idle', 120, 1),
    socketTimeout: r.int(t, 'lmtp', 'socket_timeout', 300, 1),
    listenerUser: r.str(t, 'lmtp', 'listener_user', 'nobody'),
    firstValidUid: r.int(t, 'lmtp', 'first_valid_uid', 1, 0),
  };
  if (lmtp.enabled && !lmtp.passwdFile && !lmtp.systemUsers) {
    r.fail('lmtp', 'passwd_file', 'no users: set passwd_file or system_users = true');
  }
  return { file, dataDir, logLevel: level as ServeConfig['logLevel'], lmtp };
}

/** The key written on a line (for TOML syntax errors), or the line's start. */
function lineKey(text: string, line: number): string {
  const l = text.split('\n')[line - 1] ?? '';
  const m = /^\s*([A-Za-z0-9_.-]+)\s*=/.exec(l);
  return m ? m[1]! : l.trim().slice(0, 30) || '(syntax)';
}

/** Reads `file`, or the embedded default (relative to `cwd`) when file is null. */
export function loadConfig(file: string | null, cwd = process.cwd()): ServeConfig {
  if (file === null) return parseConfig(DEFAULT_CONFIG_TEXT, '(embedded default)', cwd, null);
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, 0, '(file)', `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseConfig(text, path, dirname(path), path);
}
