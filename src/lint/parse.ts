// Reads an rcfile the way procmail's main loop does (the same steps as src/engine/engine.ts:
// mainloop, recipe, conditions), without running anything, and turns it into a tree of
// assignments and recipes with positions. Words and values go through the engine's own
// readparse() with a static context: known variables expand to their values, anything that
// would need the message or a program marks the result "unresolved". What procmail itself
// would complain about while reading (Skipped, Closing brace unexpected, Unexpected EOL,
// Missing action, Incomplete recipe, Bad substitution) is reported here.
import { readParse, splitWords, type ExpandContext, type ParseMode } from '../rc/readparse.ts';
import { StringSource } from '../rc/reader.ts';
import { parseRecipeHeader } from '../rc/header.ts';
import { EOF, LintReader } from './reader.ts';
import type { Action, Assignment, Block, CheckId, Condition, Recipe, Severity } from './model.ts';

const NL = 0x0a;
export { RECFLAGS } from '../rc/header.ts';

/** Variables as far as the linter can know them. */
export class StaticVars {
  /** Known values; null = known to be unset. A name missing here is unset, unless in `unknown`. */
  readonly values = new Map<string, string | null>();
  /** Assigned from something only a real run knows (the message, a program, a block). */
  readonly unknown = new Set<string>();

  constructor(init: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(init)) this.values.set(k, v);
    // set while a message is processed, never statically known
    for (const k of ['MATCH', 'LASTFOLDER']) this.unknown.add(k);
  }

  get(name: string): { value: string | undefined; known: boolean } {
    if (this.unknown.has(name)) return { value: undefined, known: false };
    const v = this.values.get(name);
    return { value: v ?? undefined, known: true };
  }

  set(name: string, value: string | null, known: boolean): void {
    if (known) {
      this.values.set(name, value);
      this.unknown.delete(name);
    } else {
      this.values.delete(name);
      this.unknown.add(name);
    }
  }

  text(name: string): string | undefined {
    const g = this.get(name);
    return g.known ? (g.value ?? '') : undefined;
  }
}

/** readparse() with nothing but static knowledge. */
class StaticContext implements ExpandContext {
  unresolved = false;
  readonly messages: string[] = [];

  constructor(private readonly vars: StaticVars, private readonly file: string) {}

  get(name: string): string | undefined {
    if (/^[0-9]$/.test(name)) {
      if (name !== '0') this.unresolved = true;
      return name === '0' ? 'procmail' : undefined;
    }
    const g = this.vars.get(name);
    if (!g.known) this.unresolved = true;
    return g.value;
  }
  pid(): number {
    this.unresolved = true;
    return 0;
  }
  lastExit(): number {
    this.unresolved = true;
    return 0;
  }
  lastScore(): number {
    this.unresolved = true;
    return 0;
  }
  argCount(): number {
    return 0;
  }
  rcName(): string {
    return this.file;
  }
  args(): string[] {
    return [];
  }
  async backtick(): Promise<string> {
    this.unresolved = true;
    return '';
  }
  hasShellMetas(text: string): boolean {
    const metas = this.vars.text('SHELLMETAS') ?? '&|<>~;?*[';
    return [...text].some((c) => metas.includes(c));
  }
  log(text: string): void {
    this.messages.push(text);
  }
  linebuf(): number {
    return Math.max(128, parseInt(this.vars.text('LINEBUF') ?? '', 10) || 2048);
  }
}

export interface ParseHooks {
  /** An assignment was read (before it takes effect). */
  assign(a: Assignment, parser: RcParser): Promise<void>;
  /** A recipe's header, conditions and action were read (a block: before its content). */
  recipe(r: Recipe, parser: RcParser): Promise<void>;
  report(at: number, severity: Severity, check: CheckId, message: string): void;
}

export interface Parsed {
  text: string;
  unresolved: boolean;
  /** The raw text the parse consumed. */
  raw: string;
}

export class RcParser {
  readonly reader: LintReader;
  private readonly stack: Block[] = [];
  /** The line a "rest of the line" warning was given for. */
  private restReported = -1;

  constructor(
    text: string,
    readonly file: string,
    readonly vars: StaticVars,
    private readonly hooks: ParseHooks,
  ) {
    this.reader = new LintReader(text);
  }

  /** Inside a `{ }` block: assignments there may or may not happen. */
  get depth(): number {
    return this.stack.length - 1;
  }

  private report(at: number, severity: Severity, check: CheckId, message: string): void {
    this.hooks.report(at, severity, check, message);
  }

  /** readparse() from the reader, reporting what procmail would log. */
  async parse(mode: ParseMode): Promise<Parsed> {
    const start = this.reader.pos;
    const ctx = new StaticContext(this.vars, this.file);
    const res = await readParse(this.reader, mode, false, ctx);
    const raw = this.reader.text.slice(start, this.reader.pos).replace(/\n$/, '');
    this.parseMessages(ctx, start, raw);
    return { text: res.text, unresolved: ctx.unresolved, raw };
  }

  /** readparse() of a string that came from position `at` (condition lines). */
  async parseString(text: string, mode: ParseMode, at: number): Promise<Parsed> {
    const ctx = new StaticContext(this.vars, this.file);
    const res = await readParse(new StringSource(text), mode, false, ctx);
    this.parseMessages(ctx, at, text);
    return { text: res.text, unresolved: ctx.unresolved, raw: text };
  }

  private parseMessages(ctx: StaticContext, start: number, raw: string): void {
    for (const m of ctx.messages) {
      if (m.startsWith('Unexpected EOL')) {
        const q = unclosedQuote(raw);
        this.report(q < 0 ? start : start + q, 'error', 'syntax',
          'unterminated quote: procmail reads the rest of the file into it and skips it (Unexpected EOL)');
      } else if (m.startsWith('Bad substitution')) {
        const name = /"(.*)"/.exec(m)?.[1] ?? '';
        const i = raw.indexOf('${');
        this.report(i < 0 ? start : start + i, 'error', 'syntax', `bad substitution \${${name}...}: procmail drops it (Bad substitution of "${name}")`);
      }
    }
  }

  async run(): Promise<Block> {
    const top: Block = { open: 0, items: [], closed: true };
    this.stack.push(top);
    const r = this.reader;
    for (;;) {
      for (;;) {
        do r.skipSpace();
        while (r.test(NL));
        if (!r.test('#')) break;
        r.skipLine();
      }
      if (r.atEof()) break;
      const at = r.pos;
      if (r.test(':')) await this.recipe(at);
      else if (r.test('}')) this.closeBrace(at);
      else await this.assignmentLine();
    }
    for (let k = this.stack.length - 1; k >= 1; k--) {
      this.report(this.stack[k]!.open, 'warning', 'syntax', 'block is not closed before the end of the file (procmail closes it silently)');
    }
    return top;
  }

  private get block(): Block {
    return this.stack[this.stack.length - 1]!;
  }

  private closeBrace(at: number): void {
    if (this.stack.length > 1) {
      this.stack.pop()!.closed = true;
      return;
    }
    this.report(at, 'error', 'syntax', 'closing brace without a block: procmail ignores it (Closing brace unexpected)');
  }

  /** gobenv(): a variable name, usable when a blank, newline or '=' follows. */
  private gobenv(): { ok: boolean; name: string } {
    const { name, usable } = this.reader.readName();
    return { ok: usable, name };
  }


  private async assignmentLine(): Promise<void> {
    const r = this.reader;
    const at = r.pos;
    const g = this.gobenv();
    if (!g.ok) {
      const text = g.name || (r.getLine() ?? '');
      if (text) this.report(at, 'error', 'syntax', `not an assignment or a recipe: procmail skips "${text}" (Skipped)`);
      return;
    }
    r.skipSpace();
    if (r.test('=')) {
      r.skipSpace();
      const rawAt = r.pos;
      const p = await this.parse('value');
      const value = p.text.endsWith('\0') ? p.text.slice(0, -1).replace(/\0/g, ' ') : p.text.replace(/\0/g, ' ');
      const a: Assignment = { kind: 'assign', at, name: g.name, value, raw: p.raw, rawAt, unresolved: p.unresolved };
      this.block.items.push(a);
      await this.hooks.assign(a, this);
      this.vars.set(g.name, value, !p.unresolved && this.depth === 0);
      this.restOfLine((rest) => `an unquoted blank ends the value of ${g.name}: procmail reads "${rest}" as more variables to unset (or skips it); quote the whole value`, at);
      return;
    }
    const a: Assignment = { kind: 'assign', at, name: g.name, value: null, raw: '', rawAt: r.pos, unresolved: false };
    this.block.items.push(a);
    await this.hooks.assign(a, this);
    this.vars.set(g.name, null, this.depth === 0);
    this.restOfLine((rest) => `"${g.name}" alone unsets ${g.name}, and procmail reads "${rest}" the same way (more unsets, or skipped)`, at);
  }

  /** Words left on the line of an assignment become more unsets (or get skipped). */
  private restOfLine(message: (rest: string) => string, at: number): void {
    const r = this.reader;
    if (r.pos > 0 && r.text.charCodeAt(r.pos - 1) === NL) return; // the value ran to the end of its line
    const line = r.at(at).line;
    if (line === this.restReported) return; // once per line: the next words would repeat it
    const save = r.pos;
    r.skipSpace();
    const c = r.peek();
    r.pos = save;
    // a `}` closes a one-line block (`{ LOG="x" }`); a comment is a comment
    if (c === NL || c === EOF || c === 0x23 /* # */ || c === 0x7d /* } */) return;
    const from = r.pos + (r.text.slice(r.pos).length - r.text.slice(r.pos).replace(/^[ \t]+/, '').length);
    const nl = r.text.indexOf('\n', from);
    const rest = r.text.slice(from, nl < 0 ? r.text.length : nl).replace(/[ \t]+$/, '');
    this.restReported = line;
    this.report(from, 'warning', 'syntax', message(rest));
  }

  // ------------------------------------------------------------------ recipes
  private async recipe(at: number): Promise<void> {
    const r = this.reader;
    let header = await this.header(at);
    let conditions: Condition[];
    for (;;) {
      const c = await this.conditions(header.nrcond);
      if (c.missingAction === null) {
        conditions = c.conditions;
        break;
      }
      this.report(at, 'error', 'syntax', 'recipe without an action: an empty line ends its conditions and the next recipe starts (Missing action)');
      at = c.missingAction;
      header = await this.header(at);
    }
    r.skipSpace();
    const recipe: Recipe = { kind: 'recipe', at, flags: header.flags, flagsAt: header.flagsAt, header: header.header, conditions, action: { kind: 'none', at: r.pos, raw: '', rawAt: r.pos } };
    if (header.lockfile !== undefined) recipe.lockfile = header.lockfile;
    this.block.items.push(recipe);
    recipe.action = await this.action(recipe);
    await this.hooks.recipe(recipe, this);
    if (recipe.action.block) this.stack.push(recipe.action.block);
  }

  private async header(at: number): Promise<{ flags: string; flagsAt: number; header: string; lockfile?: string; nrcond: number }> {
    const r = this.reader;
    const flagsAt = r.pos;
    const eol = r.text.indexOf('\n', flagsAt);
    const lineText = r.text.slice(flagsAt, eol < 0 ? r.text.length : eol);
    const p = await this.parse('words');
    const { nrcond, flags, lockfile, leftover } = parseRecipeHeader(p.text);
    if (leftover) {
      const i = lineText.indexOf(leftover.split(' ')[0]!);
      const where = i < 0 ? at : flagsAt + i;
      if (/^[A-Za-z]/.test(leftover)) {
        this.report(where, 'error', 'unknown-flag',
          `unknown flag "${leftover[0]}": procmail ignores it and everything after it on the line (Skipped "${leftover}")`);
      } else {
        this.report(where, 'error', 'syntax', `procmail skips "${leftover}" in the recipe header (Skipped)`);
      }
    }
    return { flags, flagsAt, header: lineText, nrcond, ...(lockfile !== undefined ? { lockfile } : {}) };
  }

  /** The conditions of a recipe; missingAction: where the next recipe's `:` was found instead. */
  private async conditions(nrcondIn: number): Promise<{ conditions: Condition[]; missingAction: number | null }> {
    const r = this.reader;
    const conditions: Condition[] = [];
    let nrcond = nrcondIn;
    let skippedEmpty = false;
    for (;;) {
      r.skipSpace();
      nrcond--;
      if (!r.test('*')) {
        if (nrcond < 0) {
          if (r.test('#')) {
            r.skipLine();
            continue;
          }
          if (r.test(NL)) {
            skippedEmpty = true;
            continue;
          }
          const at = r.pos;
          if (skippedEmpty && r.test(':')) return { conditions, missingAction: at };
          break;
        }
      }
      r.skipSpace();
      const at = r.pos;
      const line = r.getLogicalLine().replace(/[ \t]+$/, '');
      conditions.push({ at, text: line });
    }
    return { conditions, missingAction: null };
  }

  private async action(recipe: Recipe): Promise<Action> {
    const r = this.reader;
    const at = r.pos;
    if (r.test('!')) {
      const rawAt = r.pos;
      const p = await this.parse('words');
      return { kind: 'forward', at, raw: p.raw, rawAt, words: splitWords(p.text), unresolved: p.unresolved };
    }
    if (r.test('|')) {
      const rawAt = r.pos;
      const line = r.getLogicalLine();
      return { kind: 'pipe', at, raw: line, rawAt, shell: this.isShell(line) };
    }
    if (r.atEof()) {
      this.report(recipe.at, 'error', 'syntax', 'recipe without an action at the end of the file (Incomplete recipe)');
      return { kind: 'none', at, raw: '', rawAt: at };
    }
    // a variable name first: `VAR=| cmd` captures, otherwise it is (part of) a folder name
    const save = r.pos;
    const g = this.gobenv();
    if (g.ok || g.name) {
      r.skipSpace();
      if (g.ok && r.test('=')) {
        r.skipSpace();
        if (r.test('|')) {
          const rawAt = r.pos;
          const line = r.getLogicalLine();
          return { kind: 'capture', at, raw: line, rawAt, captureVar: g.name, shell: this.isShell(line) };
        }
        if (r.test('!')) {
          const rawAt = r.pos;
          const p = await this.parse('words');
          return { kind: 'forward', at, raw: p.raw, rawAt, words: splitWords(p.text), unresolved: p.unresolved, captureVar: g.name };
        }
      }
      r.pos = save;
    } else if (r.test('{')) {
      const c = r.peek();
      if (c === 0x20 || c === 0x09 || c === NL) {
        return { kind: 'block', at, raw: '{', rawAt: at, block: { open: at, items: [], closed: false } };
      }
      r.pos = save;
    }
    const p = await this.parse('words');
    return { kind: 'folder', at, raw: p.raw, rawAt: at, words: splitWords(p.text), unresolved: p.unresolved };
  }

  isShell(command: string): boolean {
    const metas = this.vars.text('SHELLMETAS') ?? '&|<>~;?*[';
    return [...command].some((c) => metas.includes(c));
  }
}

/** Where the quote that never closes starts in `raw` (-1: none found). */
export function unclosedQuote(raw: string): number {
  let state: '' | '"' | "'" | '`' = '';
  let opened = -1;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && state !== "'") {
      i++;
      continue;
    }
    if (state === '') {
      if (c === '"' || c === "'" || c === '`') {
        state = c;
        opened = i;
      }
    } else if (c === state) state = '';
  }
  return state ? opened : -1;
}
