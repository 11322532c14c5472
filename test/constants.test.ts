// Tables declared once in TypeScript and injected into the Go templates (@NAME@ structured
// constants): the destination types, checked through what the gateway renders for each.
import { DESTINATIONS, DESTINATION_TYPES, SIGNALS } from '../generator/components/gateway/destination-types';
import { HELMS, ROOT, helmTemplate, runHelm } from './harness/helm';
import * as path from 'path';

const chart = path.join(ROOT, 'charts', 'otel-gateway');

describe.each(HELMS)('destination types with $name', (helm) => {
  test.each(DESTINATION_TYPES)('a %s destination becomes its exporter type and carries its signals', (type) => {
    const d = DESTINATIONS[type];
    const set: Record<string, string> = {
      'destinations.ollyscale.enabled': 'false',
      'destinations.d.type': type,
      'destinations.d.signals': `{${d.signals.join(',')}}`,
    };
    // An endpoint of the form its type takes (a broker list for kafka, host:port for otlp, else a URL).
    if (type !== 'debug')
      set['destinations.d.endpoint'] = { kafka: 'kafka.example.com:9092', otlp: 'example.com:4317' }[type as string] ?? 'http://example.com:4318';
    const r = helmTemplate(helm, chart, { set });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`${d.exporter}/d`);
  });
  test('a signal a type cannot carry is refused by the template too (schema skipped), naming the signals it can', () => {
    const [type, d] = Object.entries(DESTINATIONS).find(([, x]) => x.signals.length < SIGNALS.length)!;
    const other = SIGNALS.find((s) => !(d.signals as readonly string[]).includes(s))!;
    const sets = { 'destinations.d.type': type, 'destinations.d.endpoint': 'http://example.com', 'destinations.d.signals': `{${other}}` };
    const r = runHelm(helm, ['template', 'o', chart, '--skip-schema-validation', ...Object.entries(sets).flatMap(([k, x]) => ['--set', `${k}=${x}`])]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`destinations.d.signals: a ${type} destination cannot carry ${other} (it carries ${d.signals.join(', ')})`);
  });
});
