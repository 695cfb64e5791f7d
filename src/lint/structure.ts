// Checks on the shape of the whole rcfile: recipes that can never be reached because an
// earlier one always delivers, and `c` on blocks that deliver nothing.
import { isDelivering } from './checks.ts';
import type { Block, CheckId, Item, Recipe, Severity } from './model.ts';

type Report = (at: number, severity: Severity, check: CheckId, message: string) => void;

const INCLUDES = new Set(['INCLUDERC', 'SWITCHRC']);

/** No conditions and no flag that makes it depend on an earlier recipe. */
function unconditional(r: Recipe): boolean {
  return r.conditions.length === 0 && !/[AaEe]/.test(r.flags);
}

/** Processing never goes past this item (unless a write fails). */
function alwaysDelivers(item: Item): boolean {
  if (item.kind !== 'recipe' || !unconditional(item) || item.flags.includes('c')) return false;
  const a = item.action;
  if (a.kind === 'block') return !!a.block && a.block.items.some(alwaysDelivers);
  // a waited-for pipe may fail by design (followed by `e` recipes, or just falling through)
  if (a.kind === 'pipe' && /[wW]/.test(item.flags)) return false;
  return isDelivering(item);
}

/** Could anything in this block deliver the message? (An INCLUDERC may.) */
function mayDeliver(block: Block): boolean {
  return block.items.some((item) => {
    if (item.kind === 'assign') return INCLUDES.has(item.name) && item.value !== null;
    if (item.action.kind === 'block') return !!item.action.block && mayDeliver(item.action.block);
    return isDelivering(item);
  });
}

export function checkStructure(block: Block, report: Report, lineOf: (at: number) => number): void {
  let stopper: Item | null = null;
  for (const item of block.items) {
    if (stopper) {
      // an `e` recipe runs exactly when the write before it failed
      if (!(item.kind === 'recipe' && item.flags.includes('e'))) {
        report(item.at, 'warning', 'unreachable',
          `unreachable: the recipe on line ${lineOf(stopper.at)} delivers every message, so procmail gets here only if that write fails`);
        break;
      }
    }
    if (item.kind === 'recipe') {
      const a = item.action;
      if (a.kind === 'block' && a.block) {
        if (item.flags.includes('c') && !mayDeliver(a.block)) {
          report(item.at, 'warning', 'copy-block',
            'flag c on a block that delivers nothing: the copy carries on after the block and is delivered again (to DEFAULT); drop the c');
        }
        checkStructure(a.block, report, lineOf);
      }
    }
    if (!stopper && alwaysDelivers(item)) stopper = item;
  }
}
