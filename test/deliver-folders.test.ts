// Folder delivery through RealHost.deliver(): file names, contents, modes, LASTFOLDER, the
// VERBOSE order, several folders in one action, and the failure paths (with procmail's
// exact messages, as recorded from procmail 3.22 in the oracle and in experiments).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { RealHost } from '../src/deliver/host.ts';
import { setProcessUmask } from '../src/deliver/umask.ts';
import { ultoan } from '../src/deliver/names.ts';
import type { FileIO } from '../src/deliver/fsio.ts';
import { isRoot, LUNCH, mode, request, scratch, split } from './deliver-fixtures.ts';

const MBOX_LUNCH = 496;
const MAILDIR_LUNCH = 445;
const PLAIN_LUNCH = 495;

test('mbox: appended with the right bytes, mode 600, LASTFOLDER before Opening (case 112 order)', async () => {
  const s = scratch();
  try {
    const host = new RealHost();
    const { req, lines } = request(['inbox'], split(LUNCH), { verbose: true });
    const r = await host.deliver(req);
    assert.deepEqual(r, { ok: true, lastFolder: 'inbox', bytes: MBOX_LUNCH });
    assert.deepEqual(lines, [
      'Assigning "LASTFOLDER=inbox"\n',
      'procmail: Opening "inbox"\n',
      'procmail: Acquiring kernel-lock\n',
    ]);
    assert.equal(fs.statSync('inbox').size, MBOX_LUNCH);
    assert.equal(mode('inbox'), 0o600);
    // a second delivery appends
    await host.deliver(request(['inbox'], split(LUNCH)).req);
    assert.equal(fs.statSync('inbox').size, 2 * MBOX_LUNCH);
    assert.equal(fs.readFileSync('inbox', 'latin1').split('\nFrom alice@').length, 2);
  } finally {
    s.done();
  }
});

test('mbox: a new mailbox ends up with its atime before its mtime (new-mail marker)', async () => {
  const s = scratch();
  try {
    await new RealHost().deliver(request(['inbox'], split(LUNCH)).req);
    const st = fs.statSync('inbox');
    assert.ok(st.atimeMs < st.mtimeMs);
  } finally {
    s.done();
  }
});

test('Maildir: directories 700, file in new/, tmp/ left empty, LASTFOLDER dir/new/<name>', async () => {
  const s = scratch();
  try {
    const { req, lines } = request(['md/'], split(LUNCH), { verbose: true });
    const r = await new RealHost().deliver(req);
    assert.equal(r.ok, true);
    assert.equal(r.bytes, MAILDIR_LUNCH);
    assert.match(r.lastFolder, /^md\/new\/\d+\.\d+_\d+\.[^/]+$/);
    for (const d of ['md', 'md/new', 'md/cur', 'md/tmp']) assert.equal(mode(d), 0o700, d);
    assert.deepEqual(fs.readdirSync('md/tmp'), []);
    assert.equal(fs.readFileSync(r.lastFolder).length, MAILDIR_LUNCH);
    assert.equal(mode(r.lastFolder), 0o600);
    assert.deepEqual(lines, [`Assigning "LASTFOLDER=${r.lastFolder}"\n`]);
  } finally {
    s.done();
  }
});

test('Maildir: extra trailing slashes are dropped from the folder name', async () => {
  const s = scratch();
  try {
    const r = await new RealHost().deliver(request(['md///'], split(LUNCH)).req);
    assert.match(r.lastFolder, /^md\/new\//);
  } finally {
    s.done();
  }
});

test('MH: next number after the highest all-digit name; others ignored (case 016)', async () => {
  const s = scratch();
  try {
    fs.mkdirSync('mh');
    for (const n of ['1', '2', '7', '12abc', '.mh_sequences']) fs.writeFileSync(`mh/${n}`, 'x');
    const { req, lines } = request(['mh/.'], split(LUNCH), { verbose: true });
    const r = await new RealHost().deliver(req);
    assert.deepEqual(r, { ok: true, lastFolder: 'mh/8', bytes: PLAIN_LUNCH });
    assert.equal(fs.readFileSync('mh/8').length, PLAIN_LUNCH);
    assert.deepEqual(lines, ['Assigning "LASTFOLDER=mh/8"\n', 'procmail: Opening "mh/8"\n', 'procmail: Acquiring kernel-lock\n']);
    // no staging file left behind
    assert.deepEqual(fs.readdirSync('mh').sort(), ['.mh_sequences', '1', '12abc', '2', '7', '8']);
  } finally {
    s.done();
  }
});

test('MH: a missing folder is created (700) and starts at 1', async () => {
  const s = scratch();
  try {
    const r = await new RealHost().deliver(request(['mh/.'], split(LUNCH)).req);
    assert.equal(r.lastFolder, 'mh/1');
    assert.equal(mode('mh'), 0o700);
  } finally {
    s.done();
  }
});

test('directory folder: $MSGPREFIX + inode in procmail base 64, From_ kept (cases 017, 125)', async () => {
  const s = scratch();
  try {
    fs.mkdirSync('saved');
    const { req, lines } = request(['saved'], split(LUNCH), { msgPrefix: 'mail-', verbose: true });
    const r = await new RealHost().deliver(req);
    assert.equal(r.ok, true);
    assert.equal(r.bytes, PLAIN_LUNCH);
    const [name] = fs.readdirSync('saved');
    assert.equal(r.lastFolder, `saved/${name}`);
    assert.equal(name, `mail-${ultoan(fs.statSync(`saved/${name}`, { bigint: true }).ino)}`);
    assert.ok(fs.readFileSync(r.lastFolder, 'latin1').startsWith('From alice@example.org'));
    assert.deepEqual(lines, [`Assigning "LASTFOLDER=${r.lastFolder}"\n`, `procmail: Opening "${r.lastFolder}"\n`, 'procmail: Acquiring kernel-lock\n']);
  } finally {
    s.done();
  }
});

test('several folders: written once, hard-linked into the others, missing ones created (cases 018, 121)', async () => {
  const s = scratch();
  try {
    fs.mkdirSync('dirf');
    const { req, lines } = request(['md/', 'mh/.', 'dirf', 'newdir', 'newmd/', 'newmh/.'], split(LUNCH), { verbose: true });
    const r = await new RealHost().deliver(req);
    assert.equal(r.ok, true);
    assert.equal(r.bytes, MAILDIR_LUNCH);
    const names = r.lastFolder.split(' ');
    assert.equal(names.length, 6);
    const [first, mh, dirf, newdir, newmd, newmh] = names as [string, string, string, string, string, string];
    assert.match(first, /^md\/new\//);
    assert.equal(mh, 'mh/1');
    assert.match(dirf, /^dirf\/msg\./);
    assert.equal(newdir.slice(newdir.indexOf('/')), dirf.slice(dirf.indexOf('/')), 'same inode, same name');
    assert.match(newmd, /^newmd\/new\//);
    assert.notEqual(newmd.slice(6), first.slice(3), 'each Maildir gets its own unique name');
    assert.equal(newmh, 'newmh/1');
    const ino = fs.statSync(first).ino;
    for (const n of names) {
      assert.equal(fs.statSync(n).ino, ino, n);
      assert.equal(fs.statSync(n).nlink, 6);
    }
    // Maildir first: no From_ line in any of them
    assert.equal(fs.readFileSync(mh).length, MAILDIR_LUNCH);
    assert.deepEqual(lines, [
      `Assigning "LASTFOLDER=${first}"\n`,
      `procmail: Linking to "${mh}"\n`,
      `procmail: Linking to "${dirf}"\n`,
      `procmail: Linking to "${newdir}"\n`,
      `procmail: Linking to "${newmd}"\n`,
      `procmail: Linking to "${newmh}"\n`,
    ]);
  } finally {
    s.done();
  }
});

test('several folders after a plain file: only the file is written, the rest "Skipped"', async () => {
  const s = scratch();
  try {
    const { req, lines } = request(['box', 'other/', 'mh2/.'], split(LUNCH));
    const r = await new RealHost().deliver(req);
    assert.deepEqual(r, { ok: true, lastFolder: 'box', bytes: MBOX_LUNCH });
    assert.deepEqual(lines, ['procmail: Skipped "other/ mh2/."\n', 'Assigning "LASTFOLDER=box"\n']);
    assert.ok(!fs.existsSync('other') && !fs.existsSync('mh2'));
  } finally {
    s.done();
  }
});

test('"name/" on an existing plain file: "Unable to treat as directory", appended as mbox (case 149)', async () => {
  const s = scratch();
  try {
    fs.writeFileSync('plainfile', 'x\n', { mode: 0o644 });
    fs.chmodSync('plainfile', 0o644);
    const { req, lines } = request(['plainfile/'], split(LUNCH));
    const r = await new RealHost().deliver(req);
    assert.deepEqual(r, { ok: true, lastFolder: 'plainfile', bytes: MBOX_LUNCH });
    assert.equal(lines[0], 'procmail: Unable to treat as directory "plainfile"\n');
    assert.equal(fs.statSync('plainfile').size, 2 + MBOX_LUNCH);
    assert.equal(mode('plainfile'), 0o644, 'umask 077 masks o+x: the mode is left alone');
  } finally {
    s.done();
  }
});

test('an existing directory named like a file is a directory folder (case 149)', async () => {
  const s = scratch();
  try {
    fs.mkdirSync('existingdir');
    const r = await new RealHost().deliver(request(['existingdir'], split(LUNCH)).req);
    assert.match(r.lastFolder, /^existingdir\/msg\./);
    assert.equal(r.bytes, PLAIN_LUNCH);
  } finally {
    s.done();
  }
});

test('/dev/null: delivered, nothing written, the size is the message length (case 019)', async () => {
  const s = scratch();
  try {
    const { req, lines } = request(['/dev/null'], split(LUNCH), { verbose: true });
    const r = await new RealHost().deliver(req);
    assert.deepEqual(r, { ok: true, lastFolder: '/dev/null', bytes: LUNCH.length });
    assert.deepEqual(lines, ['Assigning "LASTFOLDER=/dev/null"\n', 'procmail: Opening "/dev/null"\n']);
  } finally {
    s.done();
  }
});

test('UMASK with o+x allowed: files 0667&~umask, o+x added to existing mailboxes and folder dirs (case 118, experiment 051)', async () => {
  const s = scratch();
  try {
    fs.writeFileSync('existing', '');
    fs.chmodSync('existing', 0o640);
    for (const d of ['exdir', 'exmh', 'exmd', 'exmd/new', 'exmd/cur', 'exmd/tmp']) {
      fs.mkdirSync(d);
      fs.chmodSync(d, 0o770);
    }
    const host = new RealHost();
    const go = async (f: string) => (await host.deliver(request([f], split(LUNCH), { umask: 0o002 }).req)).lastFolder;
    assert.equal(mode(await go('box')), 0o665);
    await go('existing');
    assert.equal(mode('existing'), 0o641);
    assert.equal(mode(await go('md/')), 0o665);
    assert.equal(mode('md'), 0o775);
    assert.equal(mode(await go('mh/.')), 0o665);
    assert.equal(mode(await go('exdir')), 0o665);
    assert.equal(mode('exdir'), 0o771);
    await go('exmh/.');
    assert.equal(mode('exmh'), 0o771);
    await go('exmd/');
    assert.equal(mode('exmd/tmp'), 0o771, 'procmail 3.22 marks the tmp/ directory of a Maildir');
    assert.equal(mode('exmd'), 0o770);
  } finally {
    s.done();
    setProcessUmask(0o077);
  }
});

test('UMASK 022: mailbox 645 (o+x rule, case 118)', async () => {
  const s = scratch();
  try {
    await new RealHost().deliver(request(['box'], split(LUNCH), { umask: 0o022 }).req);
    assert.equal(mode('box'), 0o645);
  } finally {
    s.done();
    setProcessUmask(0o077);
  }
});

// ---------------------------------------------------------------- failures

/**
 * A directory `ro` (with ro/existing) and `rodir` that we cannot write into: chmod 555 for an
 * ordinary user; root ignores modes, so for root they live on a tmpfs remounted read-only.
 */
function readOnlyDirs(dir: string): { existingWritable: boolean; undo: () => void } | null {
  if (!isRoot) {
    fs.mkdirSync('ro');
    fs.writeFileSync('ro/existing', '');
    fs.mkdirSync('rodir');
    fs.chmodSync('ro', 0o555);
    fs.chmodSync('rodir', 0o555);
    return { existingWritable: true, undo: () => {} };
  }
  const mnt = `${dir}/rofs`;
  fs.mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' });
  } catch {
    return null;
  }
  fs.mkdirSync(`${mnt}/ro`);
  fs.writeFileSync(`${mnt}/ro/existing`, '');
  fs.mkdirSync(`${mnt}/rodir`);
  execFileSync('mount', ['-o', 'remount,ro', mnt]);
  fs.symlinkSync(`${mnt}/ro`, 'ro');
  fs.symlinkSync(`${mnt}/rodir`, 'rodir');
  return { existingWritable: false, undo: () => execFileSync('umount', [mnt]) };
}

test('unwritable directory: procmail\'s messages for every folder type (experiment 011)', async (t) => {
  const s = scratch();
  const ro = readOnlyDirs(s.dir);
  try {
    if (!ro) {
      t.skip('root needs a read-only tmpfs, and mounting is not possible here');
      return;
    }
    const host = new RealHost();
    const run = async (folders: string[]) => {
      const { req, lines } = request(folders, split(LUNCH));
      return { r: await host.deliver(req), lines };
    };
    let x = await run(['ro/md/']);
    assert.equal(x.r.ok, false);
    assert.deepEqual(x.lines, ['procmail: Unable to treat as directory "ro/md"\n', 'Assigning "LASTFOLDER=ro/md"\n', 'procmail: Error while writing to "ro/md"\n']);
    x = await run(['ro/mh/.']);
    assert.deepEqual(x.lines, ['procmail: Unable to treat as directory "ro/mh"\n', 'Assigning "LASTFOLDER=ro/mh"\n', 'procmail: Error while writing to "ro/mh"\n']);
    x = await run(['ro/nofile']);
    assert.equal(x.r.failure, 'permanent');
    assert.deepEqual(x.lines, ['Assigning "LASTFOLDER=ro/nofile"\n', 'procmail: Error while writing to "ro/nofile"\n']);
    x = await run(['rodir']);
    assert.equal(x.r.failure, 'permanent');
    assert.deepEqual(x.lines, ['procmail: Couldn\'t create or rename temp file "rodir/"\n']);
    x = await run(['ro/existing']);
    assert.equal(x.r.ok, ro.existingWritable);
    x = await run(['md/', 'ro/x', 'ro/y/', 'ro/z/.']);
    assert.equal(x.r.ok, true);
    assert.deepEqual(x.lines.slice(1), [
      'procmail: Unable to treat as directory "ro/x"\n', 'procmail: Skipped "ro/x"\n',
      'procmail: Unable to treat as directory "ro/y"\n', 'procmail: Skipped "ro/y"\n',
      'procmail: Unable to treat as directory "ro/z"\n', 'procmail: Skipped "ro/z"\n',
    ]);
    assert.equal(x.r.lastFolder.split(' ').length, 1);
  } finally {
    ro?.undo();
    s.done();
  }
});

test('a missing parent directory is classified not-found', async () => {
  const s = scratch();
  try {
    const { req, lines } = request(['nodir/box'], split(LUNCH));
    const r = await new RealHost().deliver(req);
    assert.equal(r.ok, false);
    assert.equal(r.failure, 'not-found');
    assert.equal(lines.at(-1), 'procmail: Error while writing to "nodir/box"\n');
  } finally {
    s.done();
  }
});

/** write() that fails with `code` once `after` bytes have gone through. */
function failingIO(after: number, code: string): FileIO {
  let written = 0;
  return {
    write: (fd, buf, off, len) => {
      if (written >= after) throw Object.assign(new Error(code), { code });
      const n = Math.min(len, after - written);
      written += n;
      return fs.writeSync(fd, buf, off, n);
    },
    fsync: (fd) => fs.fsyncSync(fd),
  };
}

test('mbox write failure: truncated back to the former size, the message by errno', async () => {
  const s = scratch();
  try {
    fs.writeFileSync('box', 'From x\n\nexisting\n\n');
    const host = new RealHost({ io: failingIO(100, 'ENOSPC') });
    const { req, lines } = request(['box'], split(LUNCH), { verbose: true });
    const r = await host.deliver(req);
    assert.equal(r.ok, false);
    assert.equal(r.failure, 'no-space');
    assert.equal(fs.readFileSync('box', 'latin1'), 'From x\n\nexisting\n\n');
    assert.deepEqual(lines.slice(-2), ['procmail: No space left to finish writing "box"\n', 'procmail: Truncated file to former size\n']);
    const quota = await new RealHost({ io: failingIO(10, 'EDQUOT') }).deliver(request(['box'], split(LUNCH)).req);
    assert.equal(quota.failure, 'no-space');
    const io = await new RealHost({ io: failingIO(10, 'EIO') }).deliver(request(['box'], split(LUNCH)).req);
    assert.equal(io.failure, 'temporary');
    assert.equal(fs.statSync('box').size, 18);
  } finally {
    s.done();
  }
});

test('"Truncated file to former size" only with a LOGFILE open or VERBOSE (procmail\'s logopened)', async () => {
  const s = scratch();
  try {
    const host = new RealHost({ io: failingIO(50, 'ENOSPC') });
    const quiet = request(['box'], split(LUNCH));
    await host.deliver(quiet.req);
    assert.deepEqual(quiet.lines.slice(1), ['procmail: No space left to finish writing "box"\n']);
    assert.ok(host.setLogfile(`${s.dir}/log`));
    const logged = request(['box'], split(LUNCH));
    await host.deliver(logged.req);
    assert.equal(logged.lines.at(-1), 'procmail: Truncated file to former size\n');
    assert.equal(fs.statSync('box').size, 0);
    host.setLogfile(undefined);
  } finally {
    s.done();
  }
});

test('Maildir write failure: reported with the tmp name, nothing left in tmp/ or new/', async () => {
  const s = scratch();
  try {
    const { req, lines } = request(['md/'], split(LUNCH));
    const r = await new RealHost({ io: failingIO(100, 'ENOSPC') }).deliver(req);
    assert.equal(r.ok, false);
    assert.equal(r.failure, 'no-space');
    assert.match(lines[0]!, /^procmail: No space left to finish writing "md\/tmp\/\d+\.\d+_\d+\..+"\n$/);
    assert.deepEqual(fs.readdirSync('md/tmp'), []);
    assert.deepEqual(fs.readdirSync('md/new'), []);
  } finally {
    s.done();
  }
});

test('MH and directory write failures: "Error while writing to" the staging name, nothing left', async () => {
  const s = scratch();
  try {
    fs.mkdirSync('dirf');
    for (const folder of ['mh/.', 'dirf']) {
      const { req, lines } = request([folder], split(LUNCH));
      const r = await new RealHost({ io: failingIO(100, 'ENOSPC') }).deliver(req);
      assert.equal(r.ok, false);
      assert.equal(r.failure, 'no-space');
      assert.match(lines.at(-1)!, /^procmail: Error while writing to "(mh|dirf)\/_[^"]+"\n$/);
    }
    assert.deepEqual(fs.readdirSync('mh'), []);
    assert.deepEqual(fs.readdirSync('dirf'), []);
  } finally {
    s.done();
  }
});

test('a full filesystem (tmpfs of 64 KiB): mbox truncated back, Maildir tmp removed', { skip: !isRoot && 'mounting needs root' }, async (t) => {
  const s = scratch();
  const mnt = `${s.dir}/tiny`;
  fs.mkdirSync(mnt);
  try {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      t.skip('cannot mount a tmpfs here');
      return;
    }
    try {
      fs.writeFileSync(`${mnt}/box`, 'From x\n\nexisting\n\n');
      const big = Buffer.concat([Buffer.from('From a@b  Mon Jan  1 10:00:00 2001\nSubject: big\n\n'), Buffer.alloc(100_000, 'y\n')]);
      const host = new RealHost();
      const mbox = request([`${mnt}/box`], split(big));
      const r = await host.deliver(mbox.req);
      assert.equal(r.failure, 'no-space');
      assert.equal(mbox.lines.at(-1), `procmail: No space left to finish writing "${mnt}/box"\n`);
      assert.equal(fs.readFileSync(`${mnt}/box`, 'latin1'), 'From x\n\nexisting\n\n');
      const md = request([`${mnt}/md/`], split(big));
      assert.equal((await host.deliver(md.req)).failure, 'no-space');
      assert.deepEqual(fs.readdirSync(`${mnt}/md/tmp`), []);
    } finally {
      execFileSync('umount', [mnt]);
    }
  } finally {
    s.done();
  }
});
