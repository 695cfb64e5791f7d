// `--user`/`--home` of the commands that judge rcfiles for a user (test, lint). Apart from
// args.ts so that the daemons' command lines do not load the passwd lookup.
import { resolve } from 'node:path';
import { EX_USAGE } from '../sysexits.ts';
import { lookupUser } from '../tester/environment.ts';

/**
 * `--user NAME` and `--home DIR` of the commands that judge rcfiles for a user (test, lint):
 * the passwd entry (default: whoever runs the command) and HOME (default: that user's).
 * The exit status after a message when the user is unknown.
 */
export function userAndHome(command: string, v: { user?: string; home?: string }): { user: NonNullable<ReturnType<typeof lookupUser>>; home: string } | number {
  const user = v.user !== undefined ? lookupUser(v.user) : lookupUser();
  if (!user) {
    process.stderr.write(`sluice ${command}: unknown user "${v.user}"\n`);
    return EX_USAGE;
  }
  return { user, home: v.home !== undefined ? resolve(v.home) : user.home };
}
