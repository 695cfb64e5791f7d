// First start on the embedded default: make the data directory and a virtual users file with
// one sample user whose mail lands in <data_dir>/mail/sample/Maildir, so that `sluice serve`
// delivers something useful with no configuration at all.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { parseSystemUsers } from '../lmtp/users.ts';
import type { ServeConfig } from './config.ts';

export const SAMPLE_USER = 'sample';

export const SAMPLE_RC = `# rc of sluice serve's sample user (procmail syntax): everything into ~/Maildir,
# mail whose subject mentions [sluice] into the Maildir++ folder .sluice
MAILDIR=$HOME/Maildir/
DEFAULT=$MAILDIR
LOGFILE=$HOME/procmail.log

:0
* ^Subject:.*\\[sluice\\]
.sluice/
`;

/** Whose uid the sample user gets: ours, or (as root) the conventional mail owner. */
function sampleIdentity(): { uid: number; gid: number } {
  if (process.getuid?.() !== 0) return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const users = parseSystemUsers(fs.readFileSync('/etc/passwd', 'utf8'), '');
  const u = users.get('mail') ?? users.get('nobody');
  if (!u) throw new Error('no "mail" or "nobody" account to own the sample mailbox');
  return { uid: u.uid, gid: u.gid };
}

/** Creates what the configuration needs and does not exist yet; returns what it did. */
export function prepareDataDir(cfg: ServeConfig): string[] {
  const done: string[] = [];
  if (!fs.existsSync(cfg.dataDir)) {
    fs.mkdirSync(cfg.dataDir, { recursive: true, mode: 0o755 });
    done.push(`created ${cfg.dataDir}`);
  }
  const lmtp = cfg.lmtp;
  for (const a of lmtp.listen) if (a.includes('/')) fs.mkdirSync(dirname(a), { recursive: true, mode: 0o755 });
  if (lmtp.enabled && lmtp.createSampleUser && lmtp.passwdFile && !fs.existsSync(lmtp.passwdFile)) {
    const { uid, gid } = sampleIdentity();
    const home = join(cfg.dataDir, 'mail', SAMPLE_USER);
    for (const d of [home, `${home}/Maildir`, `${home}/Maildir/new`, `${home}/Maildir/cur`, `${home}/Maildir/tmp`]) {
      fs.mkdirSync(d, { recursive: true, mode: 0o700 });
      fs.chownSync(d, uid, gid);
    }
    fs.chmodSync(join(cfg.dataDir, 'mail'), 0o755);
    fs.writeFileSync(`${home}/.procmailrc`, SAMPLE_RC, { mode: 0o644 });
    fs.chownSync(`${home}/.procmailrc`, uid, gid);
    const password = randomBytes(9).toString('base64url');
    fs.mkdirSync(dirname(lmtp.passwdFile), { recursive: true, mode: 0o755 });
    fs.writeFileSync(
      lmtp.passwdFile,
      `# sluice virtual users (Dovecot passwd-file format): user:password:uid:gid::home::\n${SAMPLE_USER}:{PLAIN}${password}:${uid}:${gid}::${home}::\n`,
      { mode: 0o600 },
    );
    done.push(`created ${lmtp.passwdFile} with user ${SAMPLE_USER} (uid ${uid}, mail in ${home}/Maildir)`);
  }
  return done;
}
