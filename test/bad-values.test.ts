// Bad values: a corpus of values files (test/bad-values/<chart>/*.yaml), each of which Helm must
// refuse (schema or template `fail`) under Helm 4 and Helm 3: non-zero exit, nothing rendered, and a
// message naming the key. Each file's header says what is wrong and what the message must hold:
//   # <what is wrong>
//   # expect-key: <dotted key path>   (Helm 4 prints it as `/a/b`, Helm 3.17 as `a.b`: both accepted)
//   # expect-mention: <text>           (any number: further words the message must contain)
//   # namespace: <ns>                  (optional: the install namespace)
import * as fs from 'fs';
import * as path from 'path';
import { HELMS, ROOT, helmTemplate } from './harness/helm';

const CORPUS = path.join(ROOT, 'test', 'bad-values');

interface Case {
  chart: string;
  file: string;
  what: string;
  key: string;
  mentions: string[];
  namespace?: string;
}

function load(chart: string, name: string): Case {
  const file = path.join(CORPUS, chart, name);
  const header = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('# '))
    .map((l) => l.slice(2));
  const field = (k: string) => header.filter((l) => l.startsWith(`${k}:`)).map((l) => l.slice(k.length + 1).trim());
  const key = field('expect-key');
  if (key.length !== 1) throw new Error(`${path.relative(ROOT, file)}: needs exactly one "# expect-key:" line`);
  return { chart, file, what: header[0], key: key[0], mentions: field('expect-mention'), namespace: field('namespace')[0] };
}

const cases = fs
  .readdirSync(CORPUS)
  .sort()
  .flatMap((chart) =>
    fs
      .readdirSync(path.join(CORPUS, chart))
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => load(chart, f)),
  );

/** `a.b.c` as Helm 4 (`/a/b/c`) or Helm 3 (`a.b.c`) prints it. */
function keyPattern(key: string): RegExp {
  const parts = key.split('.').map((p) => p.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'));
  return new RegExp(parts.join('[./]'));
}

test('the corpus holds at least 40 bad values files, for both charts', () => {
  expect(cases.length).toBeGreaterThanOrEqual(40);
  expect(new Set(cases.map((c) => c.chart))).toEqual(new Set(['ollyscale-otel', 'otel-gateway']));
});

describe.each(cases)('$chart: $what', (c) => {
  test.each(HELMS)('refused by $name with a message naming the key', (helm) => {
    const r = helmTemplate(helm, path.join(ROOT, 'charts', c.chart), { valuesFiles: [c.file], namespace: c.namespace });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    if (c.key) expect(r.stderr).toMatch(keyPattern(c.key));
    for (const m of c.mentions) expect(r.stderr).toContain(m);
  });
});
