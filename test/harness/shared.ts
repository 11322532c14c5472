// The project's shared reference data (Operator CRDs, collector component lists) sits beside the
// repository as ../shared; SHARED_DIR overrides it (e.g. for a clone elsewhere).
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './helm';

function findShared(): string {
  const candidates = [process.env.SHARED_DIR, path.join(ROOT, '..', 'shared'), '/work/shared'].filter((c): c is string => !!c);
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'reference')));
  if (!found) throw new Error(`shared reference data not found (looked in ${candidates.join(', ')}); set SHARED_DIR`);
  return found;
}

export const SHARED_DIR = findShared();
export const REFERENCE_DIR = path.join(SHARED_DIR, 'reference');
