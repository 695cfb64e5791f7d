// Reading mailboxes message by message, for `sluice test` and `sluice procmail --input`:
// mbox files (split the way `formail -s` splits them, by the project's own in-process
// formail, so every front door sees exactly the messages `formail -s procmail <mbox` would
// hand over), Maildirs (new/ then cur/), MH folders
// (numeric names in order), single message files, and directories of any of these.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { runFormail } from '../formail/index.ts';

export type InputKind = 'mbox' | 'message';

export interface InputFile {
  path: string;
  kind: InputKind;
  size: number;
}

export interface MailSource {
  /** The file the message came from. */
  source: string;
  /** 1-based position within that file (mbox), else 1. */
  index: number;
  raw: Buffer;
}

const MESSAGE_EXT = /\.(eml|msg)$/i;
const MBOX_EXT = /\.(mbox|mbx)$/i;
const MH_NAME = /^\d+$/;
/** The start of a header field line, as a mail file begins. */
const FIELD_START = /^[!-9;-~]+:/;

function peek(path: string, n = 256): Buffer {
  const fd = fs.openSync(path, 'r');
  try {
    const b = Buffer.alloc(n);
    return b.subarray(0, fs.readSync(fd, b, 0, n, 0));
  } finally {
    fs.closeSync(fd);
  }
}

function fileKind(path: string): InputKind {
  if (MESSAGE_EXT.test(path)) return 'message';
  return peek(path, 5).toString('latin1') === 'From ' ? 'mbox' : 'message';
}

/** Does a file found while walking a directory look like mail? (Named files always count.) */
function looksLikeMail(path: string): boolean {
  if (MESSAGE_EXT.test(path) || MBOX_EXT.test(path)) return true;
  const head = peek(path).toString('latin1');
  return head.startsWith('From ') || FIELD_START.test(head);
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function regularFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => !n.startsWith('.')).sort().filter((n) => {
    try {
      return fs.statSync(join(dir, n)).isFile();
    } catch {
      return false;
    }
  });
}

function add(out: InputFile[], path: string, kind: InputKind): void {
  out.push({ path, kind, size: fs.statSync(path).size });
}

function walk(dir: string, out: InputFile[]): void {
  if (isDir(join(dir, 'new')) && isDir(join(dir, 'cur'))) {
    // a Maildir: new/ then cur/, each in name order (Maildir names begin with the time)
    for (const sub of ['new', 'cur']) for (const n of regularFiles(join(dir, sub))) add(out, join(dir, sub, n), 'message');
    return;
  }
  const files = regularFiles(dir);
  const numbers = files.filter((n) => MH_NAME.test(n));
  if (numbers.length > 0 && numbers.length === files.length) {
    // an MH folder: message numbers in numeric order
    for (const n of numbers.sort((a, b) => Number(a) - Number(b))) add(out, join(dir, n), 'message');
    return;
  }
  const entries = fs.readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
  for (const n of entries) {
    const p = join(dir, n);
    if (isDir(p)) walk(p, out);
    else if (files.includes(n) && looksLikeMail(p)) add(out, p, fileKind(p));
  }
}

/** Expands the command line's INPUTs into the files to read, in order. */
export function planInputs(inputs: string[]): InputFile[] {
  const out: InputFile[] = [];
  for (const p of inputs) {
    if (isDir(p)) walk(p, out);
    else add(out, p, fileKind(p));
  }
  return out;
}

/**
 * Calls `fn` for every message, one at a time, in order. `done` is the number of input bytes
 * fully handed over so far (for a progress bar).
 */
export async function forEachMessage(
  files: InputFile[],
  fn: (m: MailSource, done: number) => Promise<void>,
  onSplitError?: (text: string) => void,
): Promise<void> {
  let done = 0;
  for (const f of files) {
    const data = fs.readFileSync(f.path);
    if (f.kind === 'message') {
      await fn({ source: f.path, index: 1, raw: data }, done);
    } else {
      await splitMbox(data, f.path, (m, seen) => fn(m, done + Math.min(seen, f.size)), onSplitError);
    }
    done += f.size;
  }
}

/** `formail -s`: the messages of an mbox, one at a time; `seen` counts the bytes handed over. */
export async function splitMbox(
  data: Buffer,
  source: string,
  fn: (m: MailSource, seen: number) => Promise<void>,
  onSplitError?: (text: string) => void,
): Promise<void> {
  let index = 0;
  let seen = 0;
  await runFormail(['-s', 'sluice-test'], {
    stdin: data,
    stdout: () => {},
    stderr: (b) => onSplitError?.(b.toString('latin1')),
    env: {},
    spawn: async (_argv, input) => {
      seen += input.length;
      await fn({ source, index: ++index, raw: input }, seen);
      return 0;
    },
  });
}

/** Messages read from standard input: an mbox when it starts with a From_ line. */
export async function forEachStdinMessage(data: Buffer, fn: (m: MailSource, done: number) => Promise<void>, onSplitError?: (text: string) => void): Promise<void> {
  if (data.subarray(0, 5).toString('latin1') !== 'From ') return fn({ source: '-', index: 1, raw: data }, 0);
  return splitMbox(data, '-', fn, onSplitError);
}
