// What `sluice lint` finds, and the shape of an rcfile as the linter sees it.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: Severity;
  message: string;
  /** Which check found it (stable id, shown in brackets). */
  check: CheckId;
}

export type CheckId =
  | 'syntax'
  | 'unknown-flag'
  | 'flags'
  | 'mbox-lock'
  | 'regex'
  | 'address-dot'
  | 'never-matches'
  | 'unreachable'
  | 'copy-block'
  | 'unsafe-shell'
  | 'includerc'
  | 'maildir';

export interface Located {
  /** Offset in the file text. */
  at: number;
}

export interface Assignment extends Located {
  kind: 'assign';
  name: string;
  /** null: a bare NAME (unset). */
  value: string | null;
  /** The value as written (quotes and all). */
  raw: string;
  rawAt: number;
  /** The value depends on something only a real run knows. */
  unresolved: boolean;
}

export interface Condition extends Located {
  /** The condition text after `*` and blanks (continuations joined), trailing blanks removed. */
  text: string;
}

export type ActionKind = 'folder' | 'pipe' | 'forward' | 'capture' | 'block' | 'none';

export interface Action extends Located {
  kind: ActionKind;
  /** The action as written (pipes and captures: the command after `|`; forwards: after `!`). */
  raw: string;
  /** Offset of `raw`. */
  rawAt: number;
  /** Folder names after static expansion (folders only). */
  words?: string[];
  /** Static expansion was incomplete (unknown variable, backtick). */
  unresolved?: boolean;
  /** A pipe, filter or capture command handed to $SHELL (it contains one of $SHELLMETAS). */
  shell?: boolean;
  captureVar?: string;
  block?: Block;
}

export interface Recipe extends Located {
  kind: 'recipe';
  flags: string;
  /** Offset of the first character after the `:`. */
  flagsAt: number;
  /** The header line as written, from flagsAt on. */
  header: string;
  /** `:` in the header: a local lockfile ('' = implicit name). */
  lockfile?: string;
  conditions: Condition[];
  action: Action;
}

export interface Block {
  open: number;
  items: Item[];
  closed: boolean;
}

export type Item = Assignment | Recipe;
