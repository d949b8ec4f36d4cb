/** @jsx h */
import * as React from "react";
import { HELP_TYPES } from "../../../sync/engine/dynamics";
import { format, type PanelStrings, type StringKey } from "../strings";
import { classes } from "./styles";
import { h } from "./jsx";

export interface HelpTypeFieldProps {
  value: number | null;
  onChange(value: number | null): void;
  disabled: boolean;
  strings: PanelStrings;
}

/**
 * "How can Microsoft help?": the six answers of D.4; no answer means the deal is not co-sell.
 * A native select: the platform's own keyboard, touch and screen-reader behaviour at no cost. A value
 * the panel does not know (a newer option in the solution) is shown as such, never as "none".
 */
export const HelpTypeField: React.FC<HelpTypeFieldProps> = ({ value, onChange, disabled, strings }) => {
  const unknown = value != null && !HELP_TYPES.some((t) => t.value === value);
  return (
    <div className={classes.section}>
      <label htmlFor="cosell-help" className={classes.heading}>{strings.Help_Label}</label>
      <select
        id="cosell-help"
        className={classes.input}
        value={value == null ? "" : value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value === "" ? null : Number(e.target.value))}
      >
        <option value="">{strings.Help_None}</option>
        {HELP_TYPES.map((t) => <option key={t.value} value={t.value}>{strings[("Help_" + t.code) as StringKey]}</option>)}
        {unknown && <option value={value} disabled>{format(strings.History_Unknown, [value])}</option>}
      </select>
    </div>
  );
};
