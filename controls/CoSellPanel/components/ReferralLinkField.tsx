/** @jsx h */
import * as React from "react";
import { Link } from "@fluentui/react/lib/Link";
import { isPartnerCenterLink } from "../../../sync/engine/referral";
import { format, type PanelStrings } from "../strings";
import { classes } from "./styles";
import { h } from "./jsx";

export interface ReferralLinkFieldProps {
  referralId: string | null;
  link: string | null;
  strings: PanelStrings;
}

/** Only a Partner Center https link is ever clickable; anything else is shown as text and flagged. */
export const ReferralLinkField: React.FC<ReferralLinkFieldProps> = ({ referralId, link, strings }) => {
  const trimmed = link?.trim() || null;
  return (
    <section className={classes.section} aria-labelledby="cosell-link-heading">
      <h3 id="cosell-link-heading" className={classes.heading}>{strings.Link_Label}</h3>
      {referralId && <span className={classes.hint}>{format(strings.Link_ReferralId, referralId)}</span>}
      {!trimmed ? (
        <span className={classes.hint}>{strings.Link_None}</span>
      ) : isPartnerCenterLink(trimmed) ? (
        <Link href={trimmed} target="_blank" rel="noopener noreferrer">
          {strings.Link_Open}
          <span className={classes.visuallyHidden}> {strings.Link_NewTab}</span>
        </Link>
      ) : (
        <span role="note" className={classes.unsafe}>
          {strings.Link_Unsafe} <span data-unsafe-link="">{trimmed}</span>
        </span>
      )}
    </section>
  );
};
