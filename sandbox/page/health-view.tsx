/** The sync-health view: the service's /health figures, a per-minute chart, and the deals needing attention. */
import * as React from "react";
import { DefaultButton, Link, MessageBar, MessageBarType, Spinner, SpinnerSize } from "@fluentui/react";
import uPlot from "uplot";
import { SYNC_STATUS_LABELS } from "../../sync/schema/dynamics";
import type { HealthReport, StuckRecord } from "../../api/service";
import type { Api } from "./web-api";
import { errorText, useInterval } from "./shared";

type MinuteFigures = HealthReport["counters"]["perMinute"][number];

/** Events and errors (left axis) and p50 / p99 latency (right axis) per minute, with uPlot. */
function MinuteChart({ rows }: { rows: MinuteFigures[] }) {
  const box = React.useRef<HTMLDivElement>(null);
  const chart = React.useRef<uPlot | null>(null);
  React.useEffect(() => {
    const data: uPlot.AlignedData = [
      rows.map((r) => Date.parse(r.minute) / 1000), rows.map((r) => r.events), rows.map((r) => r.errors), rows.map((r) => r.p50), rows.map((r) => r.p99),
    ];
    if (chart.current) chart.current.setData(data);
    else if (box.current) {
      chart.current = new uPlot({
        width: 340, height: 170,
        series: [
          {},
          { label: "events", stroke: "#0078d4", scale: "n" },
          { label: "errors", stroke: "#a80000", scale: "n" },
          { label: "p50 ms", stroke: "#107c10", scale: "ms" },
          { label: "p99 ms", stroke: "#8a6d00", scale: "ms" },
        ],
        // The hour /health keeps, whatever the data: uPlot's own range around one minute spans years.
        scales: { x: { time: true, range: () => { const end = Math.ceil(Date.now() / 60_000) * 60; return [end - 3600, end]; } } },
        axes: [{}, { scale: "n" }, { scale: "ms", side: 1, grid: { show: false } }],
      }, data, box.current);
    }
  }, [rows]);
  React.useEffect(() => () => chart.current?.destroy(), []);
  return <div ref={box} className="chart" role="img" aria-label="Events, errors and latency per minute" data-testid="health-chart" />;
}

const ms = (v: number | null | undefined) => (v == null ? "—" : `${Math.round(v)} ms`);

export function HealthView({ api, onOpen }: { api: Api; onOpen(opportunityId: string): void }) {
  const [health, setHealth] = React.useState<HealthReport | null>(null);
  const [stuck, setStuck] = React.useState<StuckRecord[]>([]);
  const [error, setError] = React.useState<string | null>(null);
  useInterval(() => void Promise.all([api.health(), api.stuckRecords()])
    .then(([h, records]) => { setHealth(h as unknown as HealthReport); setStuck(records as StuckRecord[]); setError(null); })
    .catch((e) => setError(errorText(e))), 1000);
  const c = health?.counters;
  const errors = Object.entries(c?.errorsByCode ?? {});
  const r = health?.lastReconcile;
  const signedIn = health?.partnerCenter.credential === "ok";
  return (
    <section className="card health" aria-label="Sync health">
      <h2>Sync health</h2>
      {error && <MessageBar messageBarType={MessageBarType.error}>The service did not answer: {error}</MessageBar>}
      {!health && !error && <Spinner size={SpinnerSize.small} label="Waiting for the service…" labelPosition="right" />}
      {health && c && (
        <dl className="metrics" data-testid="health">
          <dt>Partner Center sign-in</dt>
          <dd className={signedIn ? "ok" : "bad"}>{signedIn ? "✔ healthy" : `✘ ${health.partnerCenter.credential}${health.partnerCenter.detail ? `: ${health.partnerCenter.detail}` : ""}`}</dd>
          <dt>Events processed</dt>
          <dd>{c.eventsProcessed} <small className="muted">{Object.entries(c.eventsByTrigger).map(([t, n]) => `${t} ${n}`).join(" · ")}</small></dd>
          <dt>Latency p50 / p99</dt>
          <dd>{ms(c.latencyMs.p50)} / {ms(c.latencyMs.p99)} <small className="muted">over {c.latencyMs.samples} syncs</small></dd>
          <dt>Needing attention</dt>
          <dd>{health.stuck == null ? "unknown (Dataverse did not answer)" : health.stuck === 0 ? "none" : `${health.stuck} deal${health.stuck === 1 ? "" : "s"}`}</dd>
          <dt>Errors by code</dt>
          <dd>{errors.length === 0 ? "none" : errors.map(([code, n]) => <span key={code} className="code">{code} × {n}</span>)}</dd>
          <dt>Try it</dt>
          <dd>
            <DefaultButton
              text={signedIn ? "Make the Partner Center sign-in expire" : "Sign in to Partner Center again"}
              onClick={() => void api.setSignInExpired(signedIn).catch((e) => setError(errorText(e)))}
            />
          </dd>
          <dt>Last reconcile</dt>
          <dd>{r ? `${new Date(r.finishedAt ?? r.startedAt).toLocaleTimeString()} · ${r.pairs} pairs, ${r.written} written, ${r.failed} failed` : "not yet"}</dd>
        </dl>
      )}
      {health && c && c.perMinute.length > 0 && <MinuteChart rows={c.perMinute} />}
      {stuck.length > 0 && (
        <>
          <h3 id="stuck-heading">Deals needing attention</h3>
          <ul className="stuck" aria-labelledby="stuck-heading" data-testid="stuck">
            {stuck.map((s) => (
              <li key={s.opportunityId} data-opportunity-id={s.opportunityId}>
                {/* A Fluent Link with no href is a button: it opens the deal on this page's form. */}
                <Link onClick={() => onOpen(s.opportunityId)}>{s.topic ?? "(no topic)"}</Link>{" "}
                <small className="muted">{SYNC_STATUS_LABELS[s.status] ?? s.status} since {new Date(s.since).toLocaleString()}</small>
                <div className="pre fix">{s.fix}</div>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
