/** The opportunities of the org, as the app's left navigation: topic and sync status, the open one selected. */
import * as React from "react";
import { Nav, PrimaryButton, type INavLink } from "@fluentui/react";
import { OPPORTUNITY_COLUMNS, SYNC_STATUS_LABELS, syncStatusName } from "../../sync/schema/dynamics";
import type { Row } from "./shared";

export function OpportunityList(props: { opportunities: Row[]; selected: string | null; onOpen(id: string): void; onNew(): void }) {
  const links: INavLink[] = props.opportunities.map((o) => {
    const status = syncStatusName(o[OPPORTUNITY_COLUMNS.syncStatus] as number | null);
    return { key: String(o.opportunityid), name: o.name ? String(o.name) : "(no topic)", url: "", status: status ? SYNC_STATUS_LABELS[status] : "Not synced" };
  });
  return (
    <div className="card opportunities">
      <h2>Opportunities</h2>
      <PrimaryButton text="New opportunity" iconProps={{ iconName: "Add" }} onClick={props.onNew} />
      <Nav
        ariaLabel="Opportunities"
        // Always given ('' for a new record): Nav otherwise keeps the last clicked link selected itself.
        selectedKey={props.selected ?? ""}
        groups={[{ links }]}
        onLinkClick={(event, link) => {
          event?.preventDefault();
          if (link?.key) props.onOpen(link.key);
        }}
        onRenderLink={(link) => (
          <span className="opportunity-link">
            <span className={link?.name === "(no topic)" ? "untitled" : undefined}>{link?.name}</span>
            <small>{String(link?.status)}</small>
          </span>
        )}
        // Two lines a link (topic, then sync status), wrapped rather than cut off in the narrow column.
        styles={{ link: { height: "auto", minHeight: 44, lineHeight: "1.3", padding: "6px 8px", textAlign: "left", whiteSpace: "normal" } }}
      />
    </div>
  );
}
