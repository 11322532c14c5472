// The README's quick start, as its commands are written (each ```bash line), for the tests that run
// them: on loopback (test/quick-start.test.ts) and against the test API server (test/cluster.test.ts).
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './helm';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('## Quick start');
/** The quick start's text. */
export const QUICK_START = readme.slice(start, readme.indexOf('\n## ', start + 1));

/** Every command of the quick start, in order. */
export const QUICK_START_COMMANDS = [...QUICK_START.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((m) =>
  m[1]
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean),
);

/** The first command starting with `prefix`. */
export function quickStartCommand(prefix: string): string {
  const c = QUICK_START_COMMANDS.find((x) => x.startsWith(prefix));
  if (!c) throw new Error(`the README's quick start has no command starting with "${prefix}"`);
  return c;
}

/** A command's arguments after its program (the README's lines quote nothing but the curl body). */
export const argsOf = (command: string) => command.split(/\s+/).slice(1);
