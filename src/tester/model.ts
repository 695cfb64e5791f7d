// What a dry run finds out about one message: the facts the reports (people, --json, --diff)
// are made from. docs/sluice-test.md documents the JSON form of these types.

export type FolderKind = 'mbox' | 'maildir' | 'mh' | 'dir' | 'devnull';
export type DeliveryKind = FolderKind | 'pipe' | 'forward' | 'stdout';

export interface LinkedFolder {
  kind: FolderKind;
  target: string;
  path: string;
  file?: string;
}

export interface Delivery {
  kind: DeliveryKind;
  /** The folder name or command line as the engine expanded it. */
  target: string;
  /** Absolute path of the folder: the mbox file, or the Maildir/MH/directory. */
  path?: string;
  /** The file the message would become (mbox: the mailbox; otherwise a predicted name). */
  file?: string;
  /** Further folders of the same action, which get hard links. */
  links?: LinkedFolder[];
  /** The write would succeed (a pipe or forward is assumed to). */
  ok: boolean;
  /** Why it would fail. */
  failure?: string;
  /** `c` flag: a copy, processing goes on. */
  copy: boolean;
  /** Falling off the end of the rcfile: $DEFAULT, then $ORGMAIL. */
  fallback: boolean;
  /** Bytes written (what the log abstract shows). */
  bytes?: number;
  /** Lockfiles held while writing (local `:0:` lock, DEFAULT's dotlock). */
  locks?: string[];
}

export type ProgramPurpose = 'condition' | 'filter' | 'capture' | 'backtick' | 'pipe' | 'forward' | 'trap';

export interface ProgramUse {
  purpose: ProgramPurpose;
  command: string;
  /** It really ran (--run-programs, or formail in this process); otherwise it "would run" and got a neutral answer. */
  ran: boolean;
  /** formail answered by sluice's own formail in this process (no process started). */
  inProcess?: boolean;
  status: number;
}

export interface ConditionResult {
  text: string;
  matched: boolean;
  /** Total score after this condition (weighted `w^x` conditions only). */
  score?: number;
  /** MATCH after this condition, when it changed. */
  match?: string;
}

export interface RecipeTrace {
  file: string;
  line: number;
  flags: string;
  /** Local lockfile (`:0:`): '' for the implicit one. */
  lockfile?: string;
  conditions: ConditionResult[];
  /** The conditions held (null: the run ended before they were decided). */
  matched: boolean | null;
  action?: { kind: string; target: string; ok: boolean; copy: boolean };
}

export type Step =
  | { type: 'rcfile'; path: string }
  | { type: 'assign'; name: string; value: string | null }
  | { type: 'recipe'; recipe: RecipeTrace }
  | { type: 'log'; text: string }
  | { type: 'program'; program: ProgramUse }
  | { type: 'delivery'; delivery: Delivery };

export interface MessageResult {
  /** 1-based position in the whole run. */
  n: number;
  /** The file the message came from, and its 1-based position there (mbox). */
  source: string;
  index: number;
  messageId?: string;
  from?: string;
  subject?: string;
  /** Bytes as read. */
  size: number;
  /** The exit status `sluice procmail` would return. */
  exitCode: number;
  deliveries: Delivery[];
  programs: ProgramUse[];
  recipes: RecipeTrace[];
  /** The value each variable assigned during the run ended with (null: unset). */
  variables: Record<string, string | null>;
  /** procmail's diagnostics for this message, as they would be logged. */
  log: string;
  /** Everything above in the order it happened (for the explanation). */
  trace: Step[];
}
