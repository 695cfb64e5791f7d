// Settings shared by every section: where things are, how big a run is, how to run sluice.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SLUICE = join(REPO, 'bin', 'sluice');

export interface Sizes {
  /** Generated 5 KB messages for the LDA and mailbox sections (baselines use 2000). */
  messages: number;
  /** Blocks the per-message LDA run is cut into (peer and sluice alternate block by block). */
  ldaBlocks: number;
  /** Rounds of the in-process LDA loop. */
  inProcessRounds: number;
  /** Process starts per round, and rounds, for the start-up comparison. */
  startsPerRound: number;
  startRounds: number;
  /** Rounds of the whole-mailbox comparisons. */
  mailboxRounds: number;
  /** Rounds of the plain split (cheap) and of `formail -s cat` (a process per message). */
  splitRounds: number;
  catRounds: number;
  /** Messages of the linux-mips corpus used (undefined: all 7126). */
  corpusMessages?: number;
  testRounds: number;
  /** LMTP: messages per run, parallel sessions, rounds. */
  lmtpMessages: number;
  lmtpSessions: number;
  lmtpRounds: number;
}

export const FULL: Sizes = {
  messages: 2000,
  ldaBlocks: 20,
  inProcessRounds: 3,
  startsPerRound: 20,
  startRounds: 7,
  mailboxRounds: 3,
  splitRounds: 5,
  catRounds: 2,
  testRounds: 3,
  lmtpMessages: 2000,
  lmtpSessions: 10,
  lmtpRounds: 3,
};

export const QUICK: Sizes = {
  messages: 200,
  ldaBlocks: 5,
  inProcessRounds: 2,
  startsPerRound: 10,
  startRounds: 3,
  mailboxRounds: 2,
  splitRounds: 3,
  catRounds: 1,
  corpusMessages: 1000,
  testRounds: 2,
  lmtpMessages: 300,
  lmtpSessions: 10,
  lmtpRounds: 2,
};

export interface Context {
  dir: string;
  quick: boolean;
  sizes: Sizes;
  /** Progress lines (stderr), so that stdout holds only the tables. */
  log: (line: string) => void;
  /**
   * The environment sluice and the peers run with. SLUICE_NODE pins bin/sluice to the node
   * binary running this benchmark, so `node -e 0` and sluice start the same executable.
   */
  env: NodeJS.ProcessEnv;
}

/** A path-safe shell word (single quotes). */
export function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
