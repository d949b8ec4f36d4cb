/** @jsx h */
/** @jsxFrag Fragment */
import * as React from "react";
import { syncStatusName, type SyncStatusName } from "../../../sync/engine/dynamics";
import { relativeTime, dateTime } from "../model/relativeTime";
import { format, type PanelStrings, type StringKey } from "../strings";
import { classes } from "./styles";
import { h, Fragment } from "./jsx";

export interface SyncStatusBannerProps {
  syncStatus: number | null;
  syncError: string | null;
  lastSyncedOn: Date | null;
  strings: PanelStrings;
  locale: string;
  now: Date;
}

type Tone = "ok" | "warn" | "error" | "neutral";
const LOOK: Record<SyncStatusName, { glyph: string; tone: Tone; hint?: StringKey }> = {
  NotSynced: { glyph: "○", tone: "neutral", hint: "Status_NotSynced_Hint" },
  Pending: { glyph: "…", tone: "neutral", hint: "Status_Pending_Hint" },
  Synced: { glyph: "✔", tone: "ok" },
  Error: { glyph: "✖", tone: "error" },
  AwaitingResponse: { glyph: "!", tone: "warn", hint: "Status_AwaitingResponse_Hint" },
  ClosedInPartnerCenter: { glyph: "■", tone: "neutral", hint: "Status_ClosedInPartnerCenter_Hint" },
  ExpiredInPartnerCenter: { glyph: "■", tone: "warn", hint: "Status_ExpiredInPartnerCenter_Hint" },
  SignInExpired: { glyph: "!", tone: "error", hint: "Status_SignInExpired_Hint" },
};
const TONE_CLASS: Record<Tone, string | undefined> = {
  ok: classes.statusOk, warn: classes.statusWarn, error: classes.statusError, neutral: undefined,
};

/** The service writes the error as a first line saying what happened, then one line per field to fix. */
const errorLines = (text: string | null): string[] => (text ?? "").split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

export const SyncStatusBanner: React.FC<SyncStatusBannerProps> = ({ syncStatus, syncError, lastSyncedOn, strings, locale, now }) => {
  // No status yet means the service never touched the deal.
  const name = syncStatusName(syncStatus) ?? "NotSynced";
  const look = LOOK[name];
  const lines = name === "Error" ? errorLines(syncError) : [];
  // Indexing, not `[message, ...fixes]`: the panel build's Babel turns array destructuring into a ~1 KB helper per file.
  const message: string | undefined = lines[0];
  const fixes = lines.slice(1);
  return (
    <section className={classes.section} aria-labelledby="cosell-status-heading">
      <h3 id="cosell-status-heading" className={classes.heading}>{strings.Status_Heading}</h3>
      <div role="status" data-status={name} className={[classes.status, TONE_CLASS[look.tone]].filter(Boolean).join(" ")}>
        <span aria-hidden="true" className={classes.statusGlyph}>{look.glyph}</span>
        <div className={classes.statusBody}>
          <strong>{strings[`Status_${name}`]}</strong>
          {name === "Synced" && lastSyncedOn && (
            <span title={dateTime(lastSyncedOn, locale)}>
              {format(strings.Status_LastSynced, relativeTime(lastSyncedOn, now, locale))}
            </span>
          )}
          {look.hint && <span>{strings[look.hint]}</span>}
          {name === "Error" && <span>{message ?? strings.Status_Error_NoDetail}</span>}
          {fixes.length > 0 && (
            <>
              <span>{strings.Status_Error_Fix}</span>
              <ul className={classes.list}>
                {fixes.map((fix, i) => <li key={i}>{fix}</li>)}
              </ul>
            </>
          )}
        </div>
      </div>
    </section>
  );
};
