/** @jsx h */
/** @jsxFrag Fragment */
import * as React from "react";
import { MessageBar, MessageBarType } from "@fluentui/react";
import { syncStatusName, type SyncStatusName } from "../../../sync/schema/dynamics";
import { FIXED_TEXT_CODES, recordedErrorLines, syncErrorCodeOf } from "../../../sync/schema/sync-errors";
import { relativeTime, dateTime } from "../model/relativeTime";
import type { PanelValues } from "../model/panelValues";
import { format, type PanelStrings, type StringKey } from "../strings";
import { classes } from "./styles";
import { Section } from "./Section";
import { h, Fragment } from "./jsx";

export interface SyncStatusBannerProps {
  /** The columns the co-sell service writes. */
  values: Pick<PanelValues, "syncStatus" | "syncError" | "syncErrorCode" | "lastSyncedOn">;
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

/** Each status's kind of message bar (the platform's icon and colour), info for any other. */
const { info, success, error, warning, severeWarning } = MessageBarType;
const TYPE: Partial<Record<SyncStatusName, MessageBarType>> = { Synced: success, Error: error, AwaitingResponse: warning, ExpiredInPartnerCenter: warning, SignInExpired: severeWarning };

/**
 * What happened, in the user's language when the error's code is known: its wording, then the
 * recorded first line where that carries what only the recording knows (Partner Center's message,
 * the values not written). An unknown or missing code (an older service) shows the line as written.
 */
function errorHeadline(code: string | null, firstLine: string | undefined, strings: PanelStrings): { headline: string; detail?: string } {
  const known = syncErrorCodeOf(code);
  if (!known) return { headline: firstLine || strings.Status_Error_NoDetail };
  const headline = strings[`Error_${known}`];
  return FIXED_TEXT_CODES.has(known) || !firstLine || firstLine === headline ? { headline } : { headline, detail: firstLine };
}

export const SyncStatusBanner: React.FC<SyncStatusBannerProps> = ({ values, strings, locale, now, liveProblems }) => {
  const lastSyncedOn = values.lastSyncedOn;
  // No status yet means the service never touched the deal.
  const name = syncStatusName(values.syncStatus) || "NotSynced";
  const lines = name === "Error" ? recordedErrorLines(values.syncError) : [];
  const recorded = lines.slice(1);
  const fixes = liveProblems === undefined ? recorded : [];
  const error = name === "Error" ? errorHeadline(values.syncErrorCode, lines[0], strings) : null;
  return (
    <Section id="status" title={strings.Status_Heading}>
      {/* A status, not an alert: it is what the record says on opening, not news. */}
      <div data-status={name}>
        <MessageBar messageBarType={TYPE[name] ?? info} role="status" delayedRender={false} isMultiline>
          <div className={classes.stack}>
            <strong>{strings[`Status_${name}` as StringKey]}</strong>
            {name === "Synced" && lastSyncedOn && (
              <span title={dateTime(lastSyncedOn, locale)}>
                {format(strings.Status_LastSynced, relativeTime(lastSyncedOn, now, locale))}
              </span>
            )}
            {/* Every status but these two has a hint line. */}
            {name !== "Synced" && name !== "Error" && <span>{strings[`Status_${name}_Hint` as StringKey]}</span>}
            {error && <span data-error-code={values.syncErrorCode || undefined}>{error.headline}</span>}
            {error?.detail && <span className={classes.hint}>{error.detail}</span>}
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
        </MessageBar>
      </div>
    </Section>
  );
};
