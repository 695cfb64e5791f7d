// File names procmail invents: directory-folder names from inode numbers, unique temporary
// names (lockfile and MH/directory staging files) and Maildir names.

/**
 * procmail's ultoan(): a number in a little-endian base-64 alphabet
 * (A-Z a-z 0-9 - _), least significant digit first. Directory folders are named
 * `$MSGPREFIX` + ultoan(inode), e.g. `msg.aJSI`.
 */
export function ultoan(value: number | bigint): string {
  let v = BigInt(value);
  if (v < 0n) v = 0n;
  let out = '';
  do {
    out += digit(Number(v & 0x3fn));
    v >>= 6n;
  } while (v > 0n);
  return out;
}

function digit(i: number): string {
  if (i < 26) return String.fromCharCode(0x41 + i);
  if (i < 52) return String.fromCharCode(0x61 + i - 26);
  if (i < 62) return String.fromCharCode(0x30 + i - 52);
  return i === 62 ? '-' : '_';
}

/** The host name as procmail puts it into file names: `/`, `:` and `\` become `\ooo`. */
export function safeHost(hostname: string): string {
  return hostname.replace(/[/:\\]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));
}

// procmail cycles a serial through these four characters for its temporary names.
const SERIAL_CHARS = '.,+%';

/**
 * Generates the unique names of one process. procmail allows four names per second and
 * then sleeps until the clock moves on; we keep counting instead (the pid and the time
 * still make the name unique, and every create uses O_EXCL with a retry anyway).
 */
export class UniqueNames {
  // One sequence per process, shared by every host: a long-running process (formail -s
  // procmail in one process, the LMTP worker) makes a new host per message.
  private static second = -1;
  private static serial = 0;

  constructor(
    private readonly pid: () => number,
    private readonly host: () => string,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  private get second(): number {
    return UniqueNames.second;
  }

  private tick(): number {
    const now = Math.floor(this.clock() / 1000);
    if (now > UniqueNames.second) {
      UniqueNames.second = now;
      UniqueNames.serial = 0;
    }
    return UniqueNames.serial++;
  }

  /** Maildir's standard `time.pid_serial.host`. */
  maildir(): string {
    const serial = this.tick();
    return `${this.second}.${this.pid()}_${serial}.${safeHost(this.host())}`;
  }

  /** procmail's traditional temporary name `_<pid><serial><time>.host` (used for lockfiles and staging files). */
  temporary(): string {
    const serial = this.tick();
    const extra = serial >= SERIAL_CHARS.length ? '.' + ultoan(serial) : '';
    return `_${ultoan(this.pid())}${SERIAL_CHARS[serial % SERIAL_CHARS.length]}${ultoan(this.second)}${extra}.${safeHost(this.host())}`;
  }
}
