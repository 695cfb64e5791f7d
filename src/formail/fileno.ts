// FILENO, the number formail gives each message it pipes into a command: it starts at the
// value found in the environment (000 by default), keeps that value's width with leading
// zeros, and counts in a C long (wrapping around like one). A FILENO that is not a number
// switches numbering off.
import { bytes } from './cbytes.ts';
import { strtolBig } from './options.ts';

/** The longest width formail keeps (its buffer for the variable). */
const MAX_WIDTH = 25;

export class FilenoCounter {
  private constructor(
    private readonly width: number,
    private next: bigint,
  ) {}

  /** From the environment's FILENO (undefined: "000"); null when it is not a number. */
  static from(value: string | undefined): FilenoCounter | null {
    const s = bytes(value ?? '000');
    let width = Math.min(s.length, MAX_WIDTH);
    const n = strtolBig(s, 0);
    if (n.end !== s.length) return null;
    if (n.value < 0n) width--; // the sign takes a column
    return new FilenoCounter(width, n.value);
  }

  /** The value for the next message. */
  take(): string {
    const val = this.next;
    this.next = BigInt.asIntN(64, val + 1n);
    const neg = val < 0n;
    const digits = BigInt.asUintN(64, neg ? -val : val).toString().padStart(this.width - (neg ? 1 : 0), '0');
    return (neg ? '-' : '') + digits;
  }
}
