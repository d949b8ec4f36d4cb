/** What every view of the sandbox page uses: a record row, the page's once-a-second polling, an error's text. */
import * as React from "react";
import { HttpError } from "./web-api";

export type Row = Record<string, unknown>;

/** Calls `fn` every `ms` (the latest `fn`, so a poll sees the current state). */
export function useInterval(fn: () => void, ms: number): void {
  const ref = React.useRef(fn);
  ref.current = fn;
  React.useEffect(() => {
    const t = setInterval(() => ref.current(), ms);
    return () => clearInterval(t);
  }, [ms]);
}

export function errorText(e: unknown): string {
  return e instanceof HttpError ? `${e.message} (${e.status} ${e.code})` : e instanceof Error ? e.message : String(e);
}
