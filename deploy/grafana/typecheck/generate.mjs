// Writes one TypeScript file per dashboard under gen/, so that `tsc` checks each dashboard against
// @grafana/schema's Dashboard type, each panel's options against its plugin's options type, and each
// query against the target shapes in json.ts. Run by `npm run check`.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dashboards = join(here, '..', 'dashboards');
const out = join(here, 'gen');
rmSync(out, { recursive: true, force: true });
mkdirSync(out);

const cfg = (name, type) =>
  `@grafana/schema/dist/esm/raw/composable/${name}/panelcfg/x/${type}PanelCfg_types.gen`;
const panelOptions = {
  timeseries: cfg('timeseries', 'TimeSeries'),
  table: cfg('table', 'Table'),
  stat: cfg('stat', 'Stat'),
  piechart: cfg('piechart', 'PieChart'),
  bargauge: cfg('bargauge', 'BarGauge'),
  statetimeline: cfg('statetimeline', 'StateTimeline'),
};

let files = 0;
for (const file of readdirSync(dashboards).filter((f) => f.endsWith('.json')).sort()) {
  const text = readFileSync(join(dashboards, file), 'utf8');
  const dashboard = JSON.parse(text);
  const lines = [
    `import type { Dashboard } from '@grafana/schema';`,
    `import type { Json, PartialJson, SqlTarget, PromTarget } from '../json.js';`,
  ];
  const used = new Set();
  const checks = [];
  const panels = (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
  panels.forEach((panel, i) => {
    if (panel.type === 'row') return;
    const module = panelOptions[panel.type];
    if (!module) throw new Error(`${file}: panel "${panel.title}" has type ${panel.type}, which this check does not know`);
    used.add(panel.type);
    checks.push(`export const options${i} = ${JSON.stringify(panel.options ?? {})} satisfies PartialJson<${panel.type}.Options>;`);
    (panel.targets ?? []).forEach((t, j) => {
      const shape = t.datasource?.type === 'prometheus' ? 'PromTarget' : 'SqlTarget';
      checks.push(`export const target${i}_${j} = ${JSON.stringify(t)} satisfies ${shape};`);
    });
  });
  for (const type of used) lines.push(`import type * as ${type} from '${panelOptions[type]}';`);
  lines.push(`export const dashboard = ${text.trim()} satisfies Json<Dashboard>;`);
  lines.push(...checks);
  writeFileSync(join(out, basename(file, '.json') + '.ts'), lines.join('\n') + '\n');
  files++;
}
if (files === 0) throw new Error(`no dashboards in ${dashboards}`);
console.log(`generated ${files} dashboard checks`);
