/** @jsx h */
import * as React from "react";
import { Link } from "@fluentui/react";
import { isPartnerCenterLink } from "../../../sync/schema/referral";
import { format, type PanelStrings } from "../strings";
import { classes } from "./styles";
import { Section } from "./Section";
import { h } from "./jsx";

export interface ReferralLinkFieldProps {
  referralId: string | null;
  link: string | null;
  /** Microsoft's CRM id of the deal (the service fills it from Partner Center): shown, never edited. */
  microsoftCrmId: string | null;
  strings: PanelStrings;
}

/** Only a Partner Center https link is ever clickable; anything else is shown as text and flagged. */
export const ReferralLinkField: React.FC<ReferralLinkFieldProps> = ({ referralId, link, microsoftCrmId, strings }) => {
  const trimmed = link?.trim();
  return (
    <Section id="link" title={strings.Link_Label}>
      {referralId && <span className={classes.hint}>{format(strings.Link_ReferralId, referralId)}</span>}
      {microsoftCrmId && <span className={classes.hint}>{format(strings.Link_MicrosoftCrmId, microsoftCrmId)}</span>}
      {!trimmed ? (
        <span className={classes.hint}>{strings.Link_None}</span>
      ) : isPartnerCenterLink(trimmed) ? (
        <Link href={trimmed} target="_blank" rel="noopener noreferrer">
          {strings.Link_Open}
          <span className={classes.visuallyHidden}> {strings.Link_NewTab}</span>
        </Link>
      ) : (
        <span role="note" className={classes.error}>
          {strings.Link_Unsafe} <span data-unsafe-link="">{trimmed}</span>
        </span>
      )}
    </Section>
  );
};
