// The project keeps text as latin1 strings (one char per byte: rcfiles, mail and variables
// are bytes). Node's OS calls encode strings as UTF-8, so every string that crosses into the
// OS goes through here to arrive as the bytes it stands for.

const ASCII = /^[\x00-\x7f]*$/;

/** A path for node:fs: unchanged when ASCII, otherwise the latin1 bytes as a Buffer. */
export function fsPath(s: string): string | Buffer {
  return ASCII.test(s) ? s : Buffer.from(s, 'latin1');
}

/**
 * A string for APIs that only take strings (spawn arguments and environment, chdir): the
 * bytes re-read as UTF-8, which Node encodes back to exactly those bytes. Bytes that are not
 * valid UTF-8 cannot be passed exactly; they arrive as U+FFFD (a Node limitation).
 */
export function nativeString(s: string): string {
  if (ASCII.test(s)) return s;
  return Buffer.from(s, 'latin1').toString('utf8');
}

/** The reverse: a string Node decoded from UTF-8 (process.cwd()) as a latin1 byte string. */
export function fromNative(s: string): string {
  if (ASCII.test(s)) return s;
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** The bytes of a latin1 text (log lines). */
export function textBytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}
