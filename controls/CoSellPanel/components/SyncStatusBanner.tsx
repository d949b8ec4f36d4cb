/** @jsx h */
/** @jsxFrag Fragment */
import * as React from "react";
import { syncStatusName, type SyncStatusName } from "../../../sync/schema/dynamics";
import { relativeTime, dateTime } from "../model/relativeTime";
import type { PanelValues } from "../model/panelValues";
import { format, type PanelStrings, type StringKey } from "../strings";
import { classes, cx } from "./styles";
import { Section } from "./Section";
import { h, Fragment } from "./jsx";

export interface SyncStatusBannerProps {
  /** The columns the co-sell service writes. */
  values: Pick<PanelValues, "syncStatus" | "syncError" | "lastSyncedOn">;
  strings: PanelStrings;
  locale: string;
  now: Date;
  /**
   * The live check of the deal as it would be saved, when the panel shows it: then its list is the
   * one list of fixes (the recorded one goes stale as the seller fixes fields), and an empty one
   * means the recorded fixes are done.
   */
  liveProblems?: number;
}

/** Each status's glyph and tone (a class of the banner; none is neutral). Every status but these two has a hint line. */
const GLYPH: Record<SyncStatusName, string> = {
  NotSynced: "○", Pending: "…", Synced: "✔", Error: "✖", AwaitingResponse: "!", ClosedInPartnerCenter: "■", ExpiredInPartnerCenter: "■", SignInExpired: "!",
};
const TONE: Partial<Record<SyncStatusName, "ok" | "warn" | "bad">> = {
  Synced: "ok", Error: "bad", AwaitingResponse: "warn", ExpiredInPartnerCenter: "warn", SignInExpired: "bad",
};
const NO_HINT: readonly SyncStatusName[] = ["Synced", "Error"];

/** The service writes the error as a first line saying what happened, then one line per field to fix. */
const errorLines = (text: string | null): string[] => (text || "").split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

export const SyncStatusBanner: React.FC<SyncStatusBannerProps> = ({ values, strings, locale, now, liveProblems }) => {
  const lastSyncedOn = values.lastSyncedOn;
  // No status yet means the service never touched the deal.
  const name = syncStatusName(values.syncStatus) || "NotSynced";
  const tone = TONE[name];
  const lines = name === "Error" ? errorLines(values.syncError) : [];
  const recorded = lines.slice(1);
  const fixes = liveProblems === undefined ? recorded : [];
  return (
    <Section id="status" title={strings.Status_Heading}>
      <div role="status" data-status={name} className={cx(classes.status, tone && classes[tone])}>
        <span aria-hidden="true" className={classes.glyph}>{GLYPH[name]}</span>
        <div className={classes.stack}>
          <strong>{strings[`Status_${name}` as StringKey]}</strong>
          {name === "Synced" && lastSyncedOn && (
            <span title={dateTime(lastSyncedOn, locale)}>
              {format(strings.Status_LastSynced, relativeTime(lastSyncedOn, now, locale))}
            </span>
          )}
          {!NO_HINT.includes(name) && <span>{strings[`Status_${name}_Hint` as StringKey]}</span>}
          {name === "Error" && <span>{lines[0] || strings.Status_Error_NoDetail}</span>}
          {recorded.length > 0 && liveProblems === 0 && <span>{strings.Status_Error_Fixed}</span>}
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
    </Section>
  );
};
