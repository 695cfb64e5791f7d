// sluice serve: the TOML configuration (embedded default, errors with file/line/key) and the
// supervisor (first start on the embedded default, reload, stop).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ConfigError, DEFAULT_CONFIG_TEXT, loadConfig, parseConfig } from '../src/serve/config.ts';
import { startServe } from '../src/serve/supervisor.ts';
import { captureLog, lmtpOnce, maildirMessages, tempDir } from './lmtp-helpers.ts';

function configError(text: string): ConfigError {
  try {
    parseConfig(text, '/etc/sluice.toml', '/etc', '/etc/sluice.toml');
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  assert.fail('no error');
}

test('the embedded default: loopback LMTP, a data directory under the current one, a users file with a sample user', () => {
  const cfg = loadConfig(null, '/srv/here');
  assert.equal(cfg.file, null);
  assert.equal(cfg.dataDir, '/srv/here/sluice-data');
  assert.deepEqual(cfg.lmtp.listen, ['127.0.0.1:2424', '/srv/here/sluice-data/lmtp.sock']);
  assert.equal(cfg.lmtp.passwdFile, '/srv/here/sluice-data/users');
  assert.equal(cfg.lmtp.createSampleUser, true);
  // a file with only what differs gets the same values for the rest
  const min = parseConfig('[lmtp]\npasswd_file = "u"\n', 'f', '/x', 'f');
  assert.equal(min.lmtp.deliveryTimeout, cfg.lmtp.deliveryTimeout);
  assert.equal(min.lmtp.passwdFile, '/x/sluice-data/u');
  assert.ok(DEFAULT_CONFIG_TEXT.includes('[lmtp]'));
});

test('config errors name file, line and key', () => {
  let e = configError('data_dir = "d"\n\n[lmtp]\nlisten = ["127.0.0.1:2424"]\ndelivery_timeout = "soon"\n');
  assert.equal(e.message, '/etc/sluice.toml:5: lmtp.delivery_timeout: expected an integer, got "soon"');
  e = configError('[lmtp]\nlisten = ["localhost"]\n');
  assert.equal(e.line, 2);
  assert.equal(e.key, 'lmtp.listen');
  e = configError('log_level = "loud"\n');
  assert.match(e.message, /^\/etc\/sluice\.toml:1: log_level: unknown level "loud"/);
  e = configError('[lmtp]\n\nworkers_per_usr = 3\n');
  assert.match(e.message, /^\/etc\/sluice\.toml:3: lmtp\.workers_per_usr: unknown key/);
  e = configError('[lmtp]\nenabled = true\nmax_message_size = = 3\n');
  assert.equal(e.line, 3);
  assert.equal(e.key, 'max_message_size');
  e = configError('[lmtp]\nsystem_users = false\n');
  assert.match(e.message, /lmtp\.passwd_file: no users/);
  assert.throws(() => loadConfig('/nonexistent/sluice.toml'), /\/nonexistent\/sluice\.toml:0: \(file\): cannot read: ENOENT/);
});

test('serve on the embedded default: creates the sample user, delivers to it, reloads, stops', async () => {
  const dir = tempDir('sluice-serve-');
  const { logger, lines } = captureLog();
  // the embedded default, with a free port instead of 2424 (other tests may run in parallel)
  const text = DEFAULT_CONFIG_TEXT.replace('"127.0.0.1:2424"', '"127.0.0.1:0"');
  const cfg = parseConfig(text, '(embedded default)', dir, null);
  const serve = await startServe(cfg, logger);
  try {
    const users = fs.readFileSync(join(dir, 'sluice-data/users'), 'utf8');
    assert.match(users, /^sample:\{PLAIN\}[^:]+:\d+:\d+::.*\/sluice-data\/mail\/sample::$/m);
    const addrs = serve.status().lmtp!;
    const port = Number(addrs[0]!.split(':').pop());
    const msg = 'From: a@example.com\nSubject: hello [sluice] test\n\nbody\n';
    const r = await lmtpOnce({ port }, 'a@example.com', ['sample@localhost'], msg);
    assert.deepEqual(r.accepted, ['sample@localhost']);
    const got = maildirMessages(join(dir, 'sluice-data/mail/sample/Maildir/.sluice'));
    assert.equal(got.length, 1);
    assert.equal(got[0]!.data.toString(), `Return-Path: <a@example.com>\n${msg}`);
    // over the unix socket as well
    const viaSock = await lmtpOnce({ path: join(dir, 'sluice-data/lmtp.sock') }, 'a@example.com', ['sample@localhost'], 'Subject: x\n\ny\n');
    assert.deepEqual(viaSock.accepted, ['sample@localhost']);
    assert.ok(lines.some((l) => l.msg === 'sluice serve ready'));
    assert.ok(lines.some((l) => l.msg === 'delivery' && l.rcpt === 'sample@localhost' && l.status === 'delivered'));
    await serve.reload(); // embedded default: nothing to re-read, daemons reloaded in place
    const again = await lmtpOnce({ port }, 'a@example.com', ['sample@localhost'], 'Subject: x\n\ny\n');
    assert.deepEqual(again.accepted, ['sample@localhost']);
  } finally {
    await serve.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('serve with a file: SIGHUP-style reload applies a new listen address; a broken file keeps the old config', async () => {
  const dir = tempDir('sluice-serve-');
  const { logger } = captureLog();
  const file = join(dir, 'sluice.toml');
  fs.writeFileSync(file, 'data_dir = "data"\n[lmtp]\nlisten = ["127.0.0.1:0"]\npasswd_file = "users"\ncreate_sample_user = true\n');
  const serve = await startServe(loadConfig(file), logger);
  try {
    assert.equal(serve.status().lmtp!.length, 1);
    fs.writeFileSync(file, 'data_dir = "data"\n[lmtp]\nlisten = ["127.0.0.1:0", "lmtp2.sock"]\npasswd_file = "users"\n');
    await serve.reload();
    assert.deepEqual(serve.status().lmtp![1], join(dir, 'data/lmtp2.sock'));
    const r = await lmtpOnce({ path: join(dir, 'data/lmtp2.sock') }, 'a@x', ['sample@x'], 'Subject: s\n\nb\n');
    assert.deepEqual(r.accepted, ['sample@x']);
    fs.writeFileSync(file, '[lmtp]\nlisten = 5\n');
    await assert.rejects(serve.reload(), /sluice\.toml:2: lmtp\.listen: expected a list of strings/);
    assert.equal(serve.status().lmtp!.length, 2);
  } finally {
    await serve.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
