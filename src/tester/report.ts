// `sluice test` for people: per message, what happened and why (rcfiles, assignments, each
// recipe with its conditions, scores and MATCH, programs that would run, the deliveries),
// then the table of folders with message counts.
import type { Delivery, MessageResult, RecipeTrace, Step } from './model.ts';
import { destinations, tildify, type FolderTally } from './summary.ts';
import { padEnd, padStart, type Style } from './style.ts';

export interface ReportOptions {
  style: Style;
  /** $HOME, shown as ~. */
  home?: string;
  /** Show assignments and log lines too. */
  verbose?: boolean;
}

/** latin1 byte text for a terminal: UTF-8 shown as such, control characters escaped. */
export function show(text: string): string {
  const bytes = Buffer.from(text, 'latin1');
  const utf8 = bytes.toString('utf8');
  const s = utf8.includes('\uFFFD') ? text : utf8;
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

function quote(text: string): string {
  return `"${show(text)}"`;
}

function describeDelivery(d: Delivery, o: ReportOptions): string {
  const t = (s: string) => tildify(s, o.home);
  switch (d.kind) {
    case 'pipe':
      return `pipe | ${show(d.target.trim())}`;
    case 'forward':
      return `forward ! ${show(d.target.trim())}`;
    case 'stdout':
      return 'stdout (|)';
    case 'devnull':
      return '/dev/null';
    default: {
      const where = d.path ? t(show(d.path)) + (d.kind === 'maildir' || d.kind === 'dir' ? '/' : d.kind === 'mh' ? '/.' : '') : show(d.target);
      const extra = (d.links ?? []).map((l) => t(show(l.path))).join(', ');
      return `${d.kind} ${where}${extra ? ` (+ links in ${extra})` : ''}`;
    }
  }
}

function flagsText(r: RecipeTrace): string {
  let s = `:0${r.flags}`;
  if (r.lockfile !== undefined) s += `:${r.lockfile}`;
  return s;
}

function recipeLines(r: RecipeTrace, o: ReportOptions, rcfile: string | undefined): string[] {
  const st = o.style;
  // the line alone when the recipe is in the rcfile named just above, else file:line
  const where = r.file === rcfile ? `line ${r.line}` : `${tildify(show(r.file), o.home)}:${r.line}`;
  const verdict = r.matched === null ? st.dim('(not decided)') : r.matched ? st.ok('matched') : st.bad('no match');
  const lines = [`  ${st.bold(flagsText(r))}  ${st.dim(where)}  ${verdict}`];
  const width = Math.min(48, Math.max(0, ...r.conditions.map((c) => show(c.text).length)));
  let prevScore = 0;
  for (const c of r.conditions) {
    const mark = c.matched ? st.ok('yes') : st.bad(' no');
    let text = `    ${mark}  ${padEnd(show(c.text), width)}`;
    if (c.score !== undefined) {
      const delta = c.score - prevScore;
      prevScore = c.score;
      text += `  score ${delta >= 0 ? '+' : ''}${fmt(delta)} = ${fmt(c.score)}`;
    }
    if (c.match !== undefined) text += `  MATCH=${quote(c.match)}`;
    lines.push(text.replace(/\s+$/, ''));
  }
  if (r.conditions.length === 0 && r.matched) lines.push(`    ${st.dim('(no conditions)')}`);
  if (r.action?.kind === 'block') {
    lines.push(`    ${st.dim(r.action.copy ? '{ block: a copy of the message runs it (c), the original skips it' : '{ block entered')}`);
  }
  return lines;
}

function fmt(n: number): string {
  if (Math.abs(n) >= 2147483647) return n > 0 ? '+inf' : '-inf';
  return Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/0+$/, '');
}

function stepLines(step: Step, o: ReportOptions, rcfile: string | undefined): string[] {
  const st = o.style;
  switch (step.type) {
    case 'rcfile':
      return [`  ${st.dim('rcfile')} ${tildify(show(step.path), o.home)}`];
    case 'assign':
      return o.verbose || ['MAILDIR', 'DEFAULT', 'INCLUDERC', 'SWITCHRC', 'LOGFILE'].includes(step.name)
        ? [`  ${st.dim(step.value === null ? `unset ${step.name}` : `${step.name}=${quote(step.value)}`)}`]
        : [];
    case 'recipe':
      return recipeLines(step.recipe, o, rcfile);
    case 'program': {
      const p = step.program;
      const how = p.inProcess ? `sluice's formail: exit ${p.status}` : p.ran ? `ran (exit ${p.status})`
        : p.purpose === 'pipe' || p.purpose === 'forward' ? 'not run' : 'would run, assumed exit 0';
      return [`    ${st.warn(`${p.purpose}:`)} ${show(p.command)}  ${st.dim(how)}`];
    }
    case 'delivery': {
      const d = step.delivery;
      const tags = [d.copy ? 'copy' : '', d.fallback ? 'DEFAULT' : '', d.locks?.length ? `lock ${d.locks.join(' ')}` : '']
        .filter(Boolean).join(', ');
      const head = d.ok ? st.ok('->') : st.bad('-> FAILS');
      return [`    ${head} ${describeDelivery(d, o)}${tags ? st.dim(`  (${tags})`) : ''}${d.ok ? '' : `: ${d.failure ?? ''}`}`];
    }
    case 'log':
      if (!o.verbose && !/^procmail: /.test(step.text)) return [];
      return step.text.replace(/\n$/, '').split('\n').map((l) => `    ${st.dim('log')} ${show(l)}`);
  }
}

function headerLine(r: MessageResult, o: ReportOptions): string {
  const where = r.index > 1 || /\.(mbox|mbx)$/i.test(r.source) ? `${r.source}#${r.index}` : r.source;
  return `${o.style.bold(`#${r.n}`)} ${tildify(show(where), o.home)}`;
}

/** Where it ends up, one line. */
export function outcomeLine(r: MessageResult, o: ReportOptions): string {
  const st = o.style;
  const ok = r.deliveries.filter((d) => d.ok);
  const exit = r.exitCode === 0 ? st.dim('exit 0') : st.bad(`exit ${r.exitCode}`);
  if (!ok.length) return `${st.bad(r.exitCode === 0 ? 'lost (nothing delivered)' : 'not delivered')}  ${exit}`;
  return `${ok.map((d) => st.bold(describeDelivery(d, o)) + (d.copy ? st.dim(' (copy)') : '')).join(', ')}  ${exit}`;
}

/** The full explanation of one message. */
export function explain(r: MessageResult, o: ReportOptions): string {
  const lines = [headerLine(r, o)];
  if (r.subject !== undefined) lines.push(`  Subject: ${show(r.subject)}`);
  if (r.from !== undefined) lines.push(`  From:    ${show(r.from)}`);
  let rcfile: string | undefined;
  for (const step of r.trace) {
    if (step.type === 'rcfile') rcfile = step.path;
    if (step.type === 'delivery' && step.delivery.fallback && !lines.at(-1)?.includes('end of the rcfile')) {
      lines.push(`  ${o.style.dim('end of the rcfile: DEFAULT')}`);
    }
    lines.push(...stepLines(step, o, rcfile));
  }
  lines.push(`  => ${outcomeLine(r, o)}`);
  return lines.join('\n') + '\n';
}

/** One line per message (--brief). */
export function briefLine(r: MessageResult, o: ReportOptions): string {
  const subject = r.subject !== undefined ? `  ${o.style.dim(show(r.subject).slice(0, 50))}` : '';
  return `${headerLine(r, o)}${subject}\n  => ${outcomeLine(r, o)}\n`;
}

/** The folder table. */
export function folderTable(t: FolderTally, o: ReportOptions, extra?: string): string {
  const rows = t.rows().map((r) => {
    const [kind, ...rest] = r.destination.split(' ');
    const target = rest.join(' ');
    const pseudo = r.destination === 'lost' || r.destination.startsWith('not-delivered');
    return { count: String(r.count), kind: pseudo ? '' : kind!, target: pseudo ? r.destination : tildify(show(target), o.home) };
  });
  const wc = Math.max(8, ...rows.map((r) => r.count.length));
  const wk = Math.max(4, ...rows.map((r) => r.kind.length));
  const out = [o.style.bold(`${padStart('messages', wc)}  ${padEnd('type', wk)}  folder`)];
  for (const r of rows) out.push(`${padStart(r.count, wc)}  ${padEnd(r.kind, wk)}  ${r.kind ? r.target : o.style.bad(r.target)}`);
  out.push(`${t.messages} message${t.messages === 1 ? '' : 's'}, ${t.notDelivered} not delivered${extra ? `, ${extra}` : ''}`);
  return out.join('\n') + '\n';
}

export { destinations };
