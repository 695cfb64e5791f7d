// Time and identity stamps formail writes: ctime(3) dates for generated From_ lines and the
// base-64-ish numbers of generated Message-IDs.

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

interface Parts {
  wd: number;
  mon: number;
  day: number;
  h: number;
  m: number;
  s: number;
  y: number;
}

function localParts(d: Date): Parts {
  return { wd: d.getDay(), mon: d.getMonth(), day: d.getDate(), h: d.getHours(), m: d.getMinutes(), s: d.getSeconds(), y: d.getFullYear() };
}

function zoneParts(d: Date, zone: string): Parts {
  try {
    const fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    const v: Record<string, string> = {};
    for (const part of fmt.formatToParts(d)) v[part.type] = part.value;
    return {
      wd: DAYS.indexOf(v.weekday ?? 'Sun'), mon: Number(v.month) - 1, day: Number(v.day), h: Number(v.hour) % 24,
      m: Number(v.minute), s: Number(v.second), y: Number(v.year),
    };
  } catch {
    // a TZ the C library would read as POSIX rules, or garbage (which it takes as UTC)
    return { wd: d.getUTCDay(), mon: d.getUTCMonth(), day: d.getUTCDate(), h: d.getUTCHours(), m: d.getUTCMinutes(), s: d.getUTCSeconds(), y: d.getUTCFullYear() };
  }
}

/**
 * ctime(): "Wed Jun 30 21:49:08 1993\n" in the time zone `tz` (the TZ of formail's
 * environment); undefined or the same TZ as this process means the process's local time.
 */
export function ctime(epochSeconds: number, tz?: string): string {
  const d = new Date(epochSeconds * 1000);
  const t = tz === undefined || tz === process.env.TZ ? localParts(d) : zoneParts(d, tz.startsWith(':') ? tz.slice(1) : tz || 'UTC');
  return `${DAYS[t.wd]} ${MONTHS[t.mon]} ${String(t.day).padStart(2, ' ')} ${p2(t.h)}:${p2(t.m)}:${p2(t.s)} ${t.y}\n`;
}

/** ultoan(): a number in digits from [A-Za-z0-9-_], least significant first. */
export function ultoan(val: bigint): string {
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let v = BigInt.asUintN(64, val);
  let s = '';
  do {
    s += digits[Number(v & 63n)];
    v >>= 6n;
  } while (v);
  return s;
}

/**
 * A "unique" Message-ID as formail makes one for -a Message-ID: (time, pid, a hash of the
 * input and a counter; the host name after the @).
 */
export function messageId(inputHash: bigint, counter: bigint, pid: number, epochSeconds: number, host: string): string {
  return `<${ultoan(inputHash)}.${ultoan(counter)}.${ultoan(BigInt(pid))}.${ultoan(BigInt(epochSeconds))}@${host}>`;
}

/**
 * The "  Folder: name<tabs>size" line of a -l abstract: tabs up to column 64 (or further
 * for a long name), the size right-aligned in 7 columns.
 */
export function folderLine(folder: Buffer, size: number): Buffer {
  const head = Buffer.concat([Buffer.from('  Folder: ', 'latin1'), folder]);
  let i = head.length - (head.length % 8);
  let tabs = '';
  do tabs += '\t';
  while ((i += 8) < 72);
  return Buffer.concat([head, Buffer.from(`${tabs}${ultstr(7, size)}\n`, 'latin1')]);
}

/** ultstr(): decimal, right-aligned in at least `width` columns. */
export function ultstr(width: number, val: number): string {
  return String(val).padStart(width, ' ');
}
