/** @jsx h */
import * as React from "react";
import { DefaultButton, Spinner, SpinnerSize } from "@fluentui/react";
import type { Choice, FieldChange, SyncEventView } from "../model/syncEvents";
import { dateTime } from "../model/relativeTime";
import { actionText, fieldLabel, valueText } from "../model/eventText";
import { format, type PanelStrings, type StringKey } from "../strings";
import type { Timeline } from "./useCoSellData";
import { classes } from "./styles";
import { Hint, Section } from "./Section";
import { h } from "./jsx";

export interface AuditTimelineProps {
  timeline: Timeline;
  strings: PanelStrings;
  locale: string;
  /** The record's currency (ISO code): deal values show in it. */
  currency?: string | null | false;
}

/** A choice's text (`Trigger_syncNow`…): parsing kept only the names the engine lists, each of which has a key. */
function choiceText<T extends string>(choice: Choice<T>, prefix: "Trigger" | "Result" | "Direction", strings: PanelStrings): string | null {
  if (!choice) return null;
  return "unknown" in choice ? format(strings.History_Unknown, choice.unknown) : strings[`${prefix}_${choice.name}` as StringKey];
}

const SIDES: readonly string[] = ["dynamics", "partnerCenter"];

/** "in Dynamics 365" / "the Partner Center value"… for a side the panel knows; any other value as written. */
const sideText = (strings: PanelStrings, prefix: "Side" | "Winner", side: string): string =>
  SIDES.includes(side) ? strings[`${prefix}_${side}` as StringKey] : side;

function resolutionText(winner: string | undefined, policy: string | undefined, strings: PanelStrings): string {
  const kept = winner ? sideText(strings, "Winner", winner) : strings.History_EmptyValue;
  return policy ? `${kept} (${policy})` : kept;
}

type RowProps = Omit<AuditTimelineProps, "timeline">;

/**
 * One change as one line. Each text is one string, so React gives its element one text node: a page
 * of 20 events was ~660 DOM nodes, most of them bits of text ("(", ": ", " → "…), which the first
 * layout shaped one by one.
 */
function changeLine(change: FieldChange, i: number, { strings, locale, currency }: RowProps): React.ReactElement {
  const value = (v: unknown): string => valueText(v, strings, locale, change.field, currency);
  return (
    <li key={i} data-field={change.field}>
      <strong>{fieldLabel(change.field, strings)}</strong>
      {change.side && <span className={classes.hint}>{` (${sideText(strings, "Side", change.side)})`}</span>}
      {`: ${value(change.before)} → ${value(change.after)}`}
    </li>
  );
}

// Memoised: "Load more" adds rows without re-rendering those already shown.
const EventItem = React.memo<RowProps & { event: SyncEventView }>(({ event, ...row }) => {
  const { strings, locale, currency } = row;
  // What happened first; how it was started and which way it went under it.
  const moved = event.direction && !("name" in event.direction && event.direction.name === "none");
  const how = [choiceText(event.trigger, "Trigger", strings), moved && choiceText(event.direction, "Direction", strings)].filter(Boolean).join(" · ");
  return (
    <li className={classes.event} data-event-id={event.id}>
      <span className={classes.hint}>
        {event.occurredOn && <time dateTime={event.occurredOn.toISOString()}>{dateTime(event.occurredOn, locale)}</time>}
        {event.initiatedBy && ` ${format(strings.History_By, event.initiatedBy)}`}
      </span>
      <strong>{actionText(event, strings)}</strong>
      {how && <span className={classes.hint}>{how}</span>}
      {event.changes.length > 0 && (
        <ul className={classes.list} aria-label={strings.History_Changes}>
          {event.changes.map((c, i) => changeLine(c, i, row))}
        </ul>
      )}
      {event.conflicts.length > 0 && (
        <ul className={classes.list} aria-label={strings.History_Conflicts}>
          {event.conflicts.map((c, i) => (
            <li key={i}>
              {format(strings.History_Conflict, fieldLabel(c.field, strings), valueText(c.dynamics, strings, locale, c.field, currency), valueText(c.partnerCenter, strings, locale, c.field, currency), resolutionText(c.winner, c.policy, strings))}
            </li>
          ))}
        </ul>
      )}
      {(event.errorCode || event.errorMessage) && (
        <span className={classes.error}>
          {format(strings.History_Error, event.errorCode || "", event.errorMessage || "")}
        </span>
      )}
      {event.unreadable.length > 0 && (
        <span className={classes.error}>{format(strings.History_Unreadable, event.unreadable.join(", "))}</span>
      )}
    </li>
  );
});

/** The sync events of this deal, newest first, a page at a time; memoised, as the rest of the panel re-renders on every edit. */
export const AuditTimeline = React.memo<AuditTimelineProps>(({ timeline, ...row }) => {
  const { strings } = row;
  const { events, loading, more, error, available } = timeline;
  return (
    <Section id="history" title={strings.History_Heading} busy={loading}>
      {!available && <Hint>{strings.History_NoRecord}</Hint>}
      {available && events.length === 0 && !loading && !error && <Hint>{strings.History_Empty}</Hint>}
      {events.length > 0 && (
        <ol className={classes.timeline} aria-labelledby="cosell-history-heading">
          {events.map((e) => <EventItem key={e.id} event={e} {...row} />)}
        </ol>
      )}
      {loading && <Spinner size={SpinnerSize.small} label={strings.History_Loading} labelPosition="right" role="status" />}
      {error && (
        <div role="alert" className={classes.error}>
          {format(strings.History_LoadFailed, error)}{" "}
          <DefaultButton text={strings.History_Retry} onClick={timeline.retry} />
        </div>
      )}
      {more && !loading && !error && (
        <DefaultButton className={classes.start} text={strings.History_ShowMore} onClick={timeline.showMore} />
      )}
    </Section>
  );
});
