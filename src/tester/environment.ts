// The environment a dry run starts each message with: the very one `sluice procmail` builds
// (src/engine/startenv.ts), for the user from the passwd database (src/deliver/passwd.ts).
export { startEnvironment, type StartOptions } from '../engine/startenv.ts';

export { lookupUser, type PasswdEntry as User } from '../deliver/passwd.ts';

