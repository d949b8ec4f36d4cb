/** @jsx h */
/** @jsxFrag Fragment */
/**
 * The Microsoft Co-sell panel. Knows nothing of PCF: bound values come in as props, edits go out
 * through onChange, and everything else is read through the injected CoSellData.
 */
import * as React from "react";
import { Toggle } from "@fluentui/react";
import { HELP_TYPES, REFERRAL_VISIBILITY } from "../../../sync/schema/dynamics";
import { checkForPartnerCenter, parseSolutionIds, type ValidationCheck } from "../../../sync/engine/validation";
import type { CoSellData } from "../data/CoSellData";
import { joinSolutionIds } from "../model/solutionIds";
import { withPanelValues, type PanelEdit, type PanelValues } from "../model/panelValues";
import type { PanelStrings } from "../strings";
import { AuditTimeline } from "./AuditTimeline";
import { ChoiceField } from "./ChoiceField";
import { NotesFields } from "./NotesFields";
import { ReferralLinkField } from "./ReferralLinkField";
import { SolutionIdChips } from "./SolutionIdChips";
import { SyncStatusBanner } from "./SyncStatusBanner";
import { ValidationList } from "./ValidationList";
import { UNAVAILABLE, useCoSellData, type Loadable } from "./useCoSellData";
import { classes, NARROW_WIDTH } from "./styles";
import { Hint } from "./Section";
import { h, Fragment } from "./jsx";

/** The visibility choices in the engine's order (visible first: no value means visible). */
const VISIBILITY = (Object.keys(REFERRAL_VISIBILITY) as Array<keyof typeof REFERRAL_VISIBILITY>).map((code) => ({ code, value: REFERRAL_VISIBILITY[code] }));

export interface CoSellPanelViewProps {
  values: PanelValues;
  onChange(edit: PanelEdit): void;
  /** The saved opportunity's id; null on a new, unsaved record. */
  recordId: string | null;
  /** Null where there is no Web API (the PCF test harness): the panel then shows what it can. */
  data: CoSellData | null;
  strings: PanelStrings;
  /** The control is disabled or the form is read-only. */
  disabled: boolean;
  /** The width the form gives the panel (px); unknown when absent or negative. */
  width?: number;
  locale?: string;
  now?: () => Date;
}

type EditFieldsProps = Pick<CoSellPanelViewProps, "values" | "onChange" | "disabled" | "strings"> & { narrow: boolean };

/**
 * The fields the seller edits and the referral's link: memoised, so the panel's renders for data it
 * reads (the deal, then the history, each right after the first paint's render) skip their Fluent
 * components, which only the bound values, the strings and the width change.
 */
const EditFields = React.memo<EditFieldsProps>(({ values, onChange, disabled, narrow, strings }) => (
  <>
    <ChoiceField
      prefix="Help"
      choices={HELP_TYPES}
      none
      value={values.howCanMicrosoftHelp}
      disabled={disabled}
      strings={strings}
      onChange={(howCanMicrosoftHelp) => onChange({ howCanMicrosoftHelp })}
    />
    <ChoiceField
      prefix="Visibility"
      choices={VISIBILITY}
      value={values.referralVisibility}
      disabled={disabled}
      strings={strings}
      hint={values.referralVisibility === REFERRAL_VISIBILITY.Private && strings.Visibility_PrivateHint}
      onChange={(referralVisibility) => onChange({ referralVisibility })}
    />
    <SolutionIdChips
      ids={parseSolutionIds(values.solutionIds)}
      disabled={disabled}
      narrow={narrow}
      strings={strings}
      onChange={(next) => onChange({ solutionIds: joinSolutionIds(next) })}
    />
    <NotesFields
      notesForMicrosoft={values.notesForMicrosoft}
      notesFromMicrosoft={values.notesFromMicrosoft}
      disabled={disabled}
      strings={strings}
      onChange={(notesForMicrosoft) => onChange({ notesForMicrosoft })}
    />
    <ReferralLinkField referralId={values.referralId} link={values.referralLink} microsoftCrmId={values.microsoftCrmId} strings={strings} />
  </>
));

export const CoSellPanelView: React.FC<CoSellPanelViewProps> = ({
  values, onChange, recordId, data, strings, disabled, width, locale = "en-US", now = () => new Date(),
}) => {
  // The service's last write changes these columns; then the deal and the history are re-read. So does
  // turning sync on: the form's own fields (topic, close date…) may have been fixed and saved since.
  const revision = `${values.syncStatus}|${values.lastSyncedOn?.getTime()}|${values.syncError}|${values.syncWithPartnerCenter}`;
  const loaded = useCoSellData(data, recordId, revision);
  const deal = loaded.deal;
  const narrow = width !== undefined && width > 0 && width < NARROW_WIDTH;
  const current = now();
  const sync = values.syncWithPartnerCenter;

  const check: Loadable<ValidationCheck[]> = React.useMemo(() => {
    if (deal.state !== "loaded") return deal;
    if (!deal.value) return UNAVAILABLE;
    const problems = checkForPartnerCenter(withPanelValues(deal.value, values), current, { isNew: !values.referralId });
    return { state: "loaded", value: problems };
    // `current` is left out on purpose: it changes every render, the problems only when the inputs do.
  }, [deal, values]);

  return (
    <div className={classes.root} data-narrow={narrow || undefined} aria-label={strings.Panel_Title} role="group">
      {disabled && <Hint>{strings.Panel_ReadOnly}</Hint>}
      {/* One list of fixes: the live one below while it can be computed, else the one the last sync recorded. */}
      <SyncStatusBanner values={values} strings={strings} locale={locale} now={current} liveProblems={sync && check.state === "loaded" ? check.value.length : undefined} />
      <div className={classes.section}>
        <Toggle
          id="cosell-sync"
          label={strings.Sync_Label}
          checked={sync}
          onText={strings.Sync_On}
          offText={strings.Sync_Off}
          disabled={disabled}
          onChange={(_, checked) => onChange({ syncWithPartnerCenter: checked === true })}
        />
        {sync && <ValidationList check={check} strings={strings} />}
      </div>
      <EditFields values={values} onChange={onChange} disabled={disabled} narrow={narrow} strings={strings} />
      <AuditTimeline timeline={loaded.timeline} strings={strings} locale={locale} currency={deal.state === "loaded" && deal.value?.currency?.isocurrencycode} />
    </div>
  );
};
