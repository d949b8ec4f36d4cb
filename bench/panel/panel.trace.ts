/**
 * Where the panel's cold first render goes, measured rather than guessed: the bench's cold pages
 * (panel.bench.ts, same set-up), each mount recorded with Chromium's tracing and V8's sampling
 * profiler over CDP. Prints, as medians over the runs:
 * - the main thread's CPU time by kind (scripting, compiling, style, layout, paint), from the
 *   trace's own events (each event's self time: its CPU time less its children's), and the wall
 *   time it was off CPU or idle (vsync);
 * - the scripting time by script (the bundle, React DOM, Fluent, the page's own glue), from the
 *   profile's samples, and the bundle's and Fluent's hottest functions.
 * Wall-clock figures swing on a shared 2-core machine; these are CPU attributions inside one mount,
 * which swing far less; COMPARE=<another bundle.js> alternates its pages with this build's, so both
 * see the same load (THIS=<a bundle.js> stands for this build's). Run: npx tsx bench/panel/panel.trace.ts [runs per build]
 */
import { chromium, type CDPSession, type Page } from "playwright-core";
import { EVENTS, FIRST_PAGE, formPage, mountAndTime, percentile } from "./panel.bench";

const RUNS = Number(process.argv[2] ?? 7);
const ARG = { events: EVENTS, expected: FIRST_PAGE };

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** The thread's CPU time inside the event (µs): unlike `dur`, not stretched when the OS runs another process. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: Record<string, unknown> };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

/** A trace event's kind, as DevTools' Performance panel groups them; the rest is the event loop's own. */
const KINDS: ReadonlyArray<readonly [string, RegExp]> = [
  // "Receive mojo message": the DevTools message (Runtime.callFunctionOn) that runs the mount; its self time is the mount's synchronous JS.
  ["script (running JS)", /^(Receive mojo message|FunctionCall|RunMicrotasks|v8\.callFunction|EvaluateScript|V8\.Execute|v8\.run|TimerFire|FireAnimationFrame|EventDispatch|AsyncTask Run|MessagePort::Accept|V8Console)/],
  ["compile (parse + lazy compile)", /^(v8\.compile|V8\.Compile|V8\.ParseFunction|V8\.ParseProgram|V8\.ParseLazy|v8\.parse)/i],
  ["JIT tier-up", /^(V8\.BytecodeBudgetInterrupt|V8\.Maglev|V8\.Optimize|V8\.Finalize|V8\.MarkCandidates|V8\.StackGuard|V8\.HandleInterrupts|V8\.Turbofan|FlushInstructionCache|V8\.Deoptimize)/],
  ["GC", /^(V8\.GC|MinorGC|MajorGC|BlinkGC|ThreadState::|V8\.Scavenge)/],
  ["style", /^(UpdateLayoutTree|Document::recalcStyle|Document::rebuildLayoutTree|Document::updateStyle|Document::updateActiveStyle|StyleEngine::|StyleElement::|CSSParser|ParseAuthorStyleSheet|ScheduleStyleRecalculation)/],
  ["layout", /^(Layout|LocalFrameView::performLayout|InlineNode::|UpdateLayerTree|InvalidateLayout)/],
  ["paint + composite", /^(Paint|PrePaint|Blink\.|PaintArtifactCompositor|Commit|CompositeLayers|Layerize|UpdateLayer)/],
  ["fonts (offline: blocked)", /^(BeginRemoteFontLoad|ResourceFetcher|ResourceLoad)/],
];

function kindOf(name: string): string {
  return KINDS.find(([, pattern]) => pattern.test(name))?.[0] ?? "event loop";
}

/** Self time (ms) per kind of the complete events on the renderer's main thread inside [from, to] (µs). */
function mainThreadBreakdown(events: TraceEvent[], from: number, to: number): Record<string, number> {
  const thread = events.find((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain");
  if (!thread) throw new Error("The trace has no renderer main thread.");
  // Events that overlap the window, cut to it: the mount itself runs inside the task (and the
  // v8.callFunction) that set the first mark, which began before it. A cut event keeps its share of CPU.
  const own = events
    .filter((e) => e.pid === thread.pid && e.tid === thread.tid && e.ph === "X" && e.dur !== undefined && e.ts < to && e.ts + e.dur! > from)
    .map((e) => {
      const ts = Math.max(e.ts, from);
      const dur = Math.min(e.ts + e.dur!, to) - ts;
      return { ...e, ts, dur, tdur: e.tdur === undefined || e.dur === 0 ? undefined : (e.tdur * dur) / e.dur! };
    })
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const totals: Record<string, number> = {};
  // A stack of open events: each one's self time is its CPU time less the events nested in it.
  const stack: Array<{ e: TraceEvent; children: number }> = [];
  // CPU time where the trace has it: a 2-core machine shared with other work stretches wall time.
  const cpu = (e: TraceEvent): number => e.tdur ?? e.dur!;
  const close = (entry: { e: TraceEvent; children: number }): void => {
    const kind = kindOf(entry.e.name);
    const key = process.env.NAMES === "1" ? `${kind}: ${entry.e.name}` : kind;
    totals[key] = (totals[key] ?? 0) + Math.max(0, cpu(entry.e) - entry.children) / 1000;
  };
  let busy = 0;
  let busyCpu = 0;
  for (const e of own) {
    while (stack.length && stack[stack.length - 1].e.ts + stack[stack.length - 1].e.dur! <= e.ts) close(stack.pop()!);
    if (stack.length) stack[stack.length - 1].children += cpu(e);
    else {
      busy += e.dur!;
      busyCpu += cpu(e);
    }
    if (/^(LocalFrameView::performLayout|Document::recalcStyle)$/.test(e.name)) {
      // A style or layout pass run from inside JS (a script read a size) rather than by the frame's lifecycle.
      const forced = stack.some((open) => kindOf(open.e.name).startsWith("script"));
      const key = `${e.name === "Document::recalcStyle" ? "style" : "layout"} passes${forced ? " forced by JS" : " in the frame"} (count)`;
      totals[key] = (totals[key] ?? 0) + 1;
    }
    stack.push({ e, children: 0 });
  }
  while (stack.length) close(stack.pop()!);
  if (process.env.TASKS === "1") {
    // The window's top-level tasks, to see what the idle gaps wait for.
    for (const e of own.filter((t) => t.name === "ThreadControllerImpl::RunTask")) console.log(`  +${((e.ts - from) / 1000).toFixed(1)} ms  ${(e.dur! / 1000).toFixed(1)} ms  ${own.filter((c) => c !== e && c.ts >= e.ts && c.ts < e.ts + e.dur! && c.dur! > 300).map((c) => c.name).slice(0, 6).join(" > ")}`);
    console.log("  --");
  }
  totals["= main thread CPU, all of the above"] = busyCpu / 1000;
  totals["(off CPU while busy: other processes ran)"] = Math.max(0, busy - busyCpu) / 1000;
  totals["(idle: waiting for vsync, timers)"] = Math.max(0, to - from - busy) / 1000;
  return totals;
}

/** Self time (ms) per script and per bundle function from a CPU profile. */
function profileBreakdown(profile: Profile, from: number, to: number): { byScript: Record<string, number>; hot: Record<string, number> } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byScript: Record<string, number> = {};
  const hot: Record<string, number> = {};
  // A sample's time is the monotonic clock in µs, as the trace's: only those inside the mount count.
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i];
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (at < from || at > to) return;
    const frame = nodes.get(id)!.callFrame;
    const script = frame.url ? frame.url.replace(/^.*\//, "").replace(/^bundle.*\.js$/, "bundle.js") : frame.functionName.startsWith("(") ? frame.functionName : "(page glue / native)";
    byScript[script] = (byScript[script] ?? 0) + ms;
    // ALLHOT=1: React DOM's and the page's functions too.
    if (process.env.ALLHOT === "1" || /^(bundle\.js|fluent)/.test(script)) {
      const key = `${script}:${frame.functionName || "(anonymous)"}@${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
      hot[key] = (hot[key] ?? 0) + ms;
    }
  });
  return { byScript, hot };
}

async function traced(page: Page): Promise<{ wall: number; main: Record<string, number>; byScript: Record<string, number>; hot: Record<string, number> }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on("Tracing.dataCollected", (m) => {
    events.push(...(m.value as unknown as TraceEvent[]));
  });
  const complete = new Promise<void>((resolve) => cdp.once("Tracing.tracingComplete", () => resolve()));
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Tracing.start", {
    transferMode: "ReportEvents",
    traceConfig: {
      includedCategories: ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "v8.execute", "disabled-by-default-v8.compile", "blink", "blink.user_timing", "__metadata"],
    },
  });
  await cdp.send("Profiler.start");
  // The window: from a mark just before the control's construction to the moment the bench stops its clock.
  const marks = (await page.evaluate(async (arg) => {
    performance.mark("cosell-mount-start");
    const wall = await (window as unknown as { mountAndTime(a: typeof arg): Promise<number> }).mountAndTime(arg);
    performance.mark("cosell-mount-end");
    return { wall };
  }, ARG)) as { wall: number };
  const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: Profile };
  await cdp.send("Tracing.end");
  await complete;
  await cdp.detach();
  // The page's two marks are in the trace (blink.user_timing) on its clock.
  const mark = (name: string): number => {
    const found = events.find((e) => e.name === name);
    if (!found) throw new Error(`The trace has no mark ${name}.`);
    return found.ts;
  };
  const from = mark("cosell-mount-start");
  const to = mark("cosell-mount-end");
  if (process.env.DUMP) for (const e of events.filter((x) => new RegExp(process.env.DUMP!).test(x.name) && x.ts >= from && x.ts <= to).slice(0, 8)) console.log(JSON.stringify(e).slice(0, 400));
  return { wall: marks.wall, main: mainThreadBreakdown(events, from, to), ...profileBreakdown(profile, from, to) };
}

/** One column per build: each key's median over that build's runs. */
function table(title: string, builds: string[], rows: Array<Array<Record<string, number>>>, limit = 40): void {
  const keys = [...new Set(rows.flatMap((runs) => runs.flatMap((r) => Object.keys(r))))];
  const cells = keys.map((k) => ({ k, v: rows.map((runs) => percentile(runs.map((r) => r[k] ?? 0), 50)) })).sort((a, b) => b.v[b.v.length - 1] - a.v[a.v.length - 1]);
  console.log(`\n${title}\n${builds.map((b) => b.padStart(9)).join("")}`);
  for (const { k, v } of cells.slice(0, limit)) if (v.some((x) => x >= 0.1)) console.log(`${v.map((x) => x.toFixed(1).padStart(9)).join("")}  ${k}`);
}

async function main(): Promise<void> {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const platformUnused = process.env.UNUSED === "1";
  // COMPARE=<other bundle.js>: its pages alternate with this build's, so both see the same machine load.
  // THIS=<bundle.js>: another file than this build's out/ bundle.
  const bundles: Array<string | undefined> = process.env.COMPARE ? [process.env.COMPARE, process.env.THIS] : [process.env.THIS];
  const builds = bundles.map((_, b) => (b === 0 && bundles.length > 1 ? "compared" : "this"));
  try {
    const traces = bundles.map(() => [] as Array<Awaited<ReturnType<typeof traced>>>);
    const walls = bundles.map(() => [] as number[]);
    // The throw-away page first, as the bench does: it starts the renderer.
    let page = await formPage(browser, platformUnused);
    await page.evaluate(mountAndTime, ARG);
    for (let i = 0; i < RUNS; i++) {
      for (const [b, bundle] of bundles.entries()) {
        // Untraced first (the bench's own figure), then traced, each in a fresh page.
        await page.context().close();
        page = await formPage(browser, platformUnused, bundle);
        walls[b].push(await page.evaluate(mountAndTime, ARG));
        await page.context().close();
        page = await formPage(browser, platformUnused, bundle);
        await page.evaluate(`window.mountAndTime = ${mountAndTime.toString()}`);
        traces[b].push(await traced(page));
      }
    }
    await page.context().close();
    console.log(`${RUNS} cold pages per build${platformUnused ? " (no Fluent used before)" : ""}`);
    table("first render, untraced and traced (median ms)", builds, bundles.map((_, b) => walls[b].map((w, i) => ({ "untraced (the bench's figure)": w, "traced (slower)": traces[b][i].wall }))));
    table("main thread by kind (median self ms)", builds, traces.map((runs) => runs.map((r) => r.main)));
    table("sampled CPU by script (median self ms)", builds, traces.map((runs) => runs.map((r) => r.byScript)));
    table("hottest functions of the bundle and Fluent (median self ms)", builds, traces.map((runs) => runs.map((r) => r.hot)), 25);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
