/**
 * `npm run bench`: every benchmark of the project in one go, printed as one table
 * (metric, value, target, pass/fail). Figures, not assertions: it exits 0 either way.
 */
import { runEngineBench } from "./engine/plan.bench";
import { runPanelBench } from "./panel/panel.bench";
import { runServiceBench } from "./service";

interface Row {
  area: string;
  metric: string;
  value: number;
  unit: string;
  target: string;
  pass: boolean;
}

const SUITES: Array<[string, () => Promise<Array<Omit<Row, "area">>>]> = [
  ["engine", runEngineBench],
  ["panel", runPanelBench],
  ["service", runServiceBench],
];

function format(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(2);
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const failures: string[] = [];
  for (const [area, run] of SUITES) {
    process.stderr.write(`running ${area} benchmarks…\n`);
    try {
      for (const r of await run()) rows.push({ area, ...r });
    } catch (e) {
      failures.push(`${area}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const table = [["area", "metric", "value", "target", "result"], ...rows.map((r) => [r.area, r.metric, `${format(r.value)} ${r.unit}`, r.target, r.pass ? "pass" : "FAIL"])];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ");
  console.log(`\n${line(table[0])}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const row of table.slice(1)) console.log(line(row));
  const passed = rows.filter((r) => r.pass).length;
  console.log(`\n${passed} of ${rows.length} targets met.`);
  for (const f of failures) console.log(`could not run ${f}`);
}

void main();
