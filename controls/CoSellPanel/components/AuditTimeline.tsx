/** @jsx h */
/** @jsxFrag Fragment */
import * as React from "react";
import { DefaultButton } from "@fluentui/react/lib/Button";
import type { Choice, FieldChange, SyncEventView } from "../model/syncEvents";
import { dateTime } from "../model/relativeTime";
import { format, type PanelStrings, type StringKey } from "../strings";
import type { Timeline } from "./useCoSellData";
import { classes } from "./styles";
import { h, Fragment } from "./jsx";

export interface AuditTimelineProps {
  timeline: Timeline;
  strings: PanelStrings;
  locale: string;
}

function choiceText<T extends string>(choice: Choice<T>, prefix: string, strings: PanelStrings): string | null {
  if (!choice) return null;
  if ("unknown" in choice) return format(strings.History_Unknown, choice.unknown);
  return strings[`${prefix}_${choice.name}` as StringKey] ?? choice.name;
}

function valueText(value: unknown, strings: PanelStrings): string {
  if (value === null || value === undefined || value === "") return strings.History_EmptyValue;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function sideText(side: string | undefined, strings: PanelStrings): string | null {
  if (!side) return null;
  const key = `Side_${side}` as StringKey;
  return key in strings ? strings[key] : side;
}

function resolutionText(winner: string | undefined, policy: string | undefined, strings: PanelStrings): string {
  const key = `Winner_${winner}` as StringKey;
  const kept = winner && key in strings ? strings[key] : (winner ?? strings.History_EmptyValue);
  return policy ? `${kept} (${policy})` : kept;
}

const ChangeLine: React.FC<{ change: FieldChange; strings: PanelStrings }> = ({ change, strings }) => {
  const side = sideText(change.side, strings);
  return (
    <li data-field={change.field}>
      <strong>{change.field}</strong>
      {side && <span className={classes.eventMeta}> ({side})</span>}: {valueText(change.before, strings)}
      {" → "}
      {valueText(change.after, strings)}
    </li>
  );
};

const EventItem: React.FC<{ event: SyncEventView; strings: PanelStrings; locale: string }> = ({ event, strings, locale }) => {
  const title = [choiceText(event.trigger, "Trigger", strings), choiceText(event.result, "Result", strings)].filter(Boolean).join(" · ");
  const direction = choiceText(event.direction, "Direction", strings);
  return (
    <li className={classes.event} data-event-id={event.id}>
      <span className={classes.eventMeta}>
        {event.occurredOn && <time dateTime={event.occurredOn.toISOString()}>{dateTime(event.occurredOn, locale)}</time>}
        {event.initiatedBy && <> {format(strings.History_By, event.initiatedBy)}</>}
      </span>
      <strong>{title}</strong>
      {direction && <span className={classes.eventMeta}>{direction}</span>}
      {event.changes.length > 0 && (
        <ul className={classes.list} aria-label={strings.History_Changes}>
          {event.changes.map((c, i) => <ChangeLine key={i} change={c} strings={strings} />)}
        </ul>
      )}
      {event.conflicts.length > 0 && (
        <ul className={classes.list} aria-label={strings.History_Conflicts}>
          {event.conflicts.map((c, i) => (
            <li key={i}>
              {format(strings.History_Conflict, c.field, valueText(c.dynamics, strings), valueText(c.partnerCenter, strings), resolutionText(c.winner, c.policy, strings))}
            </li>
          ))}
        </ul>
      )}
      {(event.errorCode || event.errorMessage) && (
        <span className={classes.eventError}>
          {format(strings.History_Error, event.errorCode ?? "", event.errorMessage ?? "")}
        </span>
      )}
      {event.unreadable.length > 0 && (
        <span className={classes.eventError}>{format(strings.History_Unreadable, event.unreadable.join(", "))}</span>
      )}
    </li>
  );
};

/** The sync events of this deal, newest first, a page at a time. */
export const AuditTimeline: React.FC<AuditTimelineProps> = ({ timeline, strings, locale }) => {
  const { events, loading, more, error, available } = timeline;
  return (
    <section className={classes.section} aria-labelledby="cosell-history-heading" aria-busy={loading}>
      <h3 id="cosell-history-heading" className={classes.heading}>{strings.History_Heading}</h3>
      {!available && <p className={classes.hint}>{strings.History_NoRecord}</p>}
      {available && events.length === 0 && !loading && !error && <p className={classes.hint}>{strings.History_Empty}</p>}
      {events.length > 0 && (
        <ol className={classes.timeline} aria-labelledby="cosell-history-heading">
          {events.map((e) => <EventItem key={e.id} event={e} strings={strings} locale={locale} />)}
        </ol>
      )}
      {loading && <p className={classes.hint} role="status">{strings.History_Loading}</p>}
      {error && (
        <div role="alert" className={classes.eventError}>
          {format(strings.History_LoadFailed, error)}{" "}
          <DefaultButton text={strings.History_Retry} onClick={timeline.retry} />
        </div>
      )}
      {more && !loading && !error && <DefaultButton text={strings.History_ShowMore} onClick={timeline.showMore} />}
    </section>
  );
};
