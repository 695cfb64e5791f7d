// `sluice lint`: reads rcfiles the way procmail would, without a message, and reports what
// is wrong or risky in GNU style (file:line:col: severity: message). INCLUDERC/SWITCHRC files
// that can be found are checked too, in place, with the variables known at that point.
import { readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { startEnvironment } from '../tester/environment.ts';
import { checkRecipe } from './checks.ts';
import type { Assignment, CheckId, Diagnostic, Recipe, Severity } from './model.ts';
import { RcParser, StaticVars } from './parse.ts';
import { LintReader } from './reader.ts';
import { backticks, derivesFromMessage, extractsHeader, unsafeUses } from './shell.ts';
import { checkStructure } from './structure.ts';

export type { Diagnostic } from './model.ts';

export interface LintOptions {
  /** HOME (and the default MAILDIR) the rcfile will run with. */
  home?: string;
  logname?: string;
  hostname?: string;
}

/** file:line:col: severity: message [check], control characters shown as \r, \t, \xNN. */
export function formatDiagnostic(d: Diagnostic): string {
  const message = d.message.replace(/[\x00-\x1f\x7f]/g, (c) =>
    c === '\r' ? '\\r' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${message} [${d.check}]`;
}

class Linter {
  readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  /** Variables whose value comes from the message (MATCH, and what is assigned from it). */
  private readonly tainted = new Set<string>(['MATCH']);

  constructor(private readonly vars: StaticVars) {}

  private add(d: Diagnostic): void {
    const key = `${d.file}:${d.line}:${d.col}:${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(d);
  }

  async lintFile(file: string, chain: string[] = []): Promise<void> {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch (err) {
      this.add({ file, line: 1, col: 1, severity: 'error', check: 'includerc', message: `cannot read the rcfile: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      return;
    }
    await this.lintText(text, file, chain);
  }

  async lintText(text: string, file: string, chain: string[] = []): Promise<void> {
    const reader = new LintReader(text);
    const report = (at: number, severity: Severity, check: CheckId, message: string) => {
      const { line, col } = reader.at(at);
      this.add({ file, line, col, severity, check, message });
    };
    const cr = text.indexOf('\r\n');
    if (cr >= 0) {
      report(cr, 'warning', 'syntax', 'carriage return at the end of the line (DOS line endings): procmail makes it part of regexes, folder names and values');
    }
    const parser = new RcParser(text, file, this.vars, {
      report,
      assign: (a, p) => this.assignment(a, p, report, [...chain, file]),
      recipe: (r, p) => this.recipe(r, p, report),
    });
    const top = await parser.run();
    checkStructure(top, report, (at) => reader.at(at).line);
  }

  private async assignment(a: Assignment, p: RcParser, report: (at: number, s: Severity, c: CheckId, m: string) => void, chain: string[]): Promise<void> {
    if (a.value !== null) {
      for (const b of backticks(a.raw)) {
        for (const u of unsafeUses(b.command, this.tainted, p.isShell(b.command))) report(a.rawAt + b.at + u.at, 'warning', 'unsafe-shell', u.message);
      }
      if (a.name !== 'MATCH') {
        if (derivesFromMessage(a.raw, this.tainted)) this.tainted.add(a.name);
        else if (p.depth === 0) this.tainted.delete(a.name);
      }
    }
    if (a.name === 'MAILDIR' && a.value && !a.unresolved) {
      const abs = posix.resolve(p.vars.text('MAILDIR') ?? '/', a.value);
      if (!isDirectory(abs)) {
        report(a.rawAt, 'warning', 'maildir', `MAILDIR "${a.value}" is not a directory${abs === a.value ? '' : ` (${abs})`}: procmail logs "Couldn't chdir" and stays where it was, with MAILDIR set to "."`);
      }
    }
    if ((a.name === 'INCLUDERC' || a.name === 'SWITCHRC') && a.value && !a.unresolved && a.value !== '/dev/null') {
      await this.include(a, p, report, chain);
    }
  }

  /** INCLUDERC/SWITCHRC: the file must exist; then it is checked as part of this one. */
  private async include(a: Assignment, p: RcParser, report: (at: number, s: Severity, c: CheckId, m: string) => void, chain: string[]): Promise<void> {
    const name = a.value!;
    const maildir = p.vars.text('MAILDIR');
    if (!name.startsWith('/') && (maildir === undefined || !maildir.startsWith('/'))) return;
    const abs = posix.resolve(maildir ?? '/', name);
    if (!isFile(abs)) {
      const where = abs === name ? '' : ` (${abs})`;
      report(a.rawAt, 'error', 'includerc', `${a.name} file "${name}" does not exist${where}: procmail logs "Couldn't read" and goes on without it`);
      return;
    }
    if (chain.includes(abs)) return;
    await this.lintFile(abs, chain);
  }

  private async recipe(r: Recipe, p: RcParser, report: (at: number, s: Severity, c: CheckId, m: string) => void): Promise<void> {
    await checkRecipe(r, p, { report, tainted: this.tainted });
    const a = r.action;
    if (a.kind === 'capture' && a.captureVar) {
      // VAR=| cmd: the program's output (of the message) is known only at run time
      p.vars.set(a.captureVar, null, false);
      if (extractsHeader(a.raw) || derivesFromMessage(a.raw, this.tainted)) this.tainted.add(a.captureVar);
    }
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function startVars(o: LintOptions): StaticVars {
  const home = o.home ?? process.env.HOME ?? '/';
  const env = startEnvironment({
    preserve: false,
    mailfilter: false,
    commandLineRc: true,
    user: { name: o.logname ?? process.env.LOGNAME ?? process.env.USER ?? 'user', home },
    hostname: o.hostname ?? 'localhost',
    callerEnv: {},
  });
  return new StaticVars({ ...env.toRecord(), MAILDIR: home });
}

function sorted(diags: Diagnostic[], files: string[]): Diagnostic[] {
  const order = (f: string) => {
    const i = files.indexOf(f);
    return i < 0 ? files.length : i;
  };
  return [...diags].sort((a, b) => order(a.file) - order(b.file) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.col - b.col);
}

/** Lints each file separately (each starts with the same default variables). */
export async function lintFiles(paths: string[], opts: LintOptions = {}): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const p of paths) {
    const l = new Linter(startVars(opts));
    await l.lintFile(p);
    out.push(...sorted(l.diagnostics, [p]));
  }
  return out;
}

/** Lints rcfile text (tests, editors). */
export async function lintText(text: string, file = '<rc>', opts: LintOptions = {}): Promise<Diagnostic[]> {
  const l = new Linter(startVars(opts));
  await l.lintText(text, file);
  return sorted(l.diagnostics, [file]);
}
