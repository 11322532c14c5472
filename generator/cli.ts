// `npm run generate` / `make charts`: writes every chart into charts/ and its values schema into
// schemas/<chart>/<version>/. Output is deterministic: a second run changes no byte.
import { writeChart } from './emitter/chart-writer';
import { CHARTS } from './charts';

const started = Date.now();
for (const def of CHARTS) {
  writeChart(def);
  console.log(`generated charts/${def.name} (${def.version}) and schemas/${def.name}/${def.version}/values.schema.json`);
}
console.log(`generated ${CHARTS.length} charts in ${Date.now() - started} ms`);
