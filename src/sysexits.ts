// Exit statuses, as a table (sysexits.h) and what an MTA does with each.
// Postfix bounces on every status except EX_TEMPFAIL (75) and EX_OSERR (71) ... and on 1,
// which is Node's default crash code: sluice maps every internal failure to 75.
export const EX_OK = 0;
export const EX_USAGE = 64;
export const EX_DATAERR = 65;
export const EX_NOINPUT = 66;
export const EX_NOUSER = 67;
export const EX_UNAVAILABLE = 69;
export const EX_SOFTWARE = 70;
export const EX_OSERR = 71;
export const EX_CANTCREAT = 73;
export const EX_IOERR = 74;
export const EX_TEMPFAIL = 75;
export const EX_NOPERM = 77;

/**
 * status -> [name, what Postfix's pipe/local delivery does with that exit status, what
 * sluice's LMTP server answers]. The LMTP column never bounces on sluice's own trouble: only
 * an unknown user is permanent; everything else asks the MTA to retry (src/lmtp/replies.ts).
 */
export const EXIT_TABLE: Record<number, [string, string, string]> = {
  0: ['EX_OK', 'delivered', '250 2.6.0'],
  64: ['EX_USAGE', 'bounce', '451 4.3.0'],
  65: ['EX_DATAERR', 'bounce', '451 4.3.0'],
  66: ['EX_NOINPUT', 'bounce', '451 4.3.0'],
  67: ['EX_NOUSER', 'bounce', '550 5.1.1'],
  69: ['EX_UNAVAILABLE', 'bounce', '451 4.3.0'],
  70: ['EX_SOFTWARE', 'bounce', '451 4.3.0'],
  71: ['EX_OSERR', 'defer', '451 4.3.0'],
  73: ['EX_CANTCREAT', 'bounce', '451 4.3.0'],
  74: ['EX_IOERR', 'bounce', '451 4.3.0'],
  75: ['EX_TEMPFAIL', 'defer', '451 4.3.0'],
  77: ['EX_NOPERM', 'bounce', '451 4.3.0'],
};
