// The -D duplicate cache: a file of NUL-terminated keys used as a ring buffer of roughly
// `maxlen` bytes. An extra NUL marks where the next key goes; once past maxlen, writing
// starts over at the front. Reproduces formail's scan exactly, including that a key with
// 8-bit bytes never matches (formail compares a signed char with fgetc()'s unsigned one).
import * as fs from 'node:fs';

export class IdCache {
  private constructor(private readonly fd: number) {}

  /** fopen(path, "r+b") or else fopen(path, "w+b"); null if neither works. */
  static open(path: string): IdCache | null {
    for (const mode of ['r+', 'w+']) {
      try {
        return new IdCache(fs.openSync(path, mode));
      } catch {
        // try the next mode
      }
    }
    return null;
  }

  /** The file as it is now (another formail may have changed it); unreadable reads as empty. */
  private contents(): Buffer {
    try {
      const size = fs.fstatSync(this.fd).size;
      const b = Buffer.alloc(size);
      let got = 0;
      while (got < size) {
        const n = fs.readSync(this.fd, b, got, size - got, got);
        if (n <= 0) break;
        got += n;
      }
      return b.subarray(0, got);
    } catch {
      return Buffer.alloc(0);
    }
  }

  /** Is `key` in the cache? If not, it is added. */
  seen(key: Uint8Array, maxlen: number): boolean {
    const data = this.contents();
    let pos = 0;
    const getc = (): number => (pos < data.length ? data[pos++]! : -1);
    // the byte formail compares with: signed char, so 8-bit bytes never equal fgetc()
    const keyAt = (p: number): number => (p < key.length ? (key[p]! >= 0x80 ? -1000 : key[p]!) : 0);
    let insoffs = maxlen;
    scan: do {
      let p = 0;
      let j: number;
      while ((j = getc()) === keyAt(p)) {
        if (!j) return true; // the whole key matched: duplicate
        p++;
      }
      if (!j && !(p === 0 && insoffs === maxlen)) continue; // a shorter word ended
      if (!j) insoffs = pos - 1; // an empty word: the end marker of the ring buffer
      for (;;) {
        // skip the rest of the word
        const c = getc();
        if (c === -1) break scan;
        if (c === 0) break;
      }
    } while (pos < maxlen);
    if (insoffs >= maxlen) insoffs = 0;
    const rec = Buffer.alloc(key.length + 2);
    rec.set(key);
    try {
      fs.writeSync(this.fd, rec, 0, rec.length, insoffs);
    } catch {
      // formail does not check this write either
    }
    return false;
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // nothing to do
    }
  }
}
