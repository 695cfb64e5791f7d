// `sluice demo`: the embedded default for a newcomer. Delivers a few sample messages through a
// sample rcfile into ./Mail (Maildir folders), with the same engine and host as `sluice procmail`.
import { mkdirSync, writeFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const SAMPLE_RC = `# sample rcfile written by "sluice demo"
MAILDIR=$PWD/Mail
DEFAULT=$MAILDIR/inbox/
LOGFILE=$MAILDIR/sluice.log

# mailing lists by List-Id, folder named after the list
:0
* ^List-Id:.*<\\/[^.>]+
lists.$MATCH/

# spam flagged upstream
:0
* ^X-Spam-Flag: *YES
spam/

# a copy of everything from the boss, then carry on
:0 c
* ^From:.*boss@example\\.com
boss/
`;

const SAMPLES: string[] = [
  'From: Alice <alice@example.org>\nTo: you@example.net\nSubject: lunch?\nList-Id: Lunch club <lunch.lists.example.org>\n\nFriday?\n',
  'From: Spammer <win@example.biz>\nTo: you@example.net\nSubject: you won\nX-Spam-Flag: YES\n\nClick.\n',
  'From: The Boss <boss@example.com>\nTo: you@example.net\nSubject: report\n\nWhere is it?\n',
  'From: Bob <bob@example.net>\nTo: you@example.net\nSubject: hello\n\nHi there.\n',
];

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write('Usage: sluice demo\nDelivers sample mail through a sample rcfile into ./Mail and shows where it went.\n');
    return 0;
  }
  const dir = resolve('Mail');
  mkdirSync(dir, { recursive: true });
  const rc = join(dir, 'demo.procmailrc');
  writeFileSync(rc, SAMPLE_RC, { mode: 0o644 });
  const self = process.argv[1]!;
  for (const m of SAMPLES) {
    const r = spawnSync(process.execPath, [self, 'procmail', `PWD=${process.cwd()}`, rc], { input: m, stdio: ['pipe', 'inherit', 'inherit'] });
    if (r.status !== 0) {
      process.stderr.write(`sluice demo: delivery failed with status ${r.status}\n`);
      return r.status ?? 75;
    }
  }
  process.stdout.write(`Delivered ${SAMPLES.length} messages with ${rc}:\n`);
  for (const f of readdirSync(dir).sort()) {
    try {
      const n = readdirSync(join(dir, f, 'new')).length;
      process.stdout.write(`  Mail/${f}/  ${n} message(s)\n`);
    } catch {
      /* not a maildir */
    }
  }
  process.stdout.write('Log: Mail/sluice.log\n');
  return 0;
}
