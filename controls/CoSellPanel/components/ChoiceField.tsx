/** @jsx h */
import * as React from "react";
import { format, type PanelStrings, type StringKey } from "../strings";
import { classes } from "./styles";
import { h } from "./jsx";

export interface ChoiceFieldProps {
  /**
   * Names the texts (`<prefix>_Label`, `<prefix>_<code>` per option, `<prefix>_None`) and the
   * select's id (`cosell-<prefix in lowercase>`).
   */
  prefix: "Help" | "Visibility";
  /** The engine's choice list: the stored value and the code its text is named after. */
  choices: ReadonlyArray<{ value: number; code: string }>;
  /** Offer an empty answer (`<prefix>_None`); without one, no value shows as the first choice. */
  none?: boolean;
  value: number | null;
  onChange(value: number | null): void;
  disabled: boolean;
  strings: PanelStrings;
  /** A line under the select, which describes it. */
  hint?: string | false;
}

/**
 * A choice column ("How can Microsoft help?", "Referral visibility") as a native select: the
 * platform's own keyboard, touch and screen-reader behaviour at no cost. A value the panel does not
 * know (a newer option in the solution) is shown as such, never as "none" or as the first choice.
 */
export const ChoiceField: React.FC<ChoiceFieldProps> = ({ prefix, choices, none, value, onChange, disabled, strings, hint }) => {
  const id = `cosell-${prefix.toLowerCase()}`;
  const unknown = value != null && !choices.some((c) => c.value === value);
  const text = (key: string): string => strings[`${prefix}_${key}` as StringKey];
  return (
    <div className={classes.section}>
      <label htmlFor={id} className={classes.heading}>{text("Label")}</label>
      <select
        id={id}
        className={classes.input}
        value={value != null ? value : none ? "" : choices[0].value}
        disabled={disabled}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.target.value === "" ? null : Number(e.target.value))}
      >
        {none && <option value="">{text("None")}</option>}
        {choices.map((c) => <option key={c.value} value={c.value}>{text(c.code)}</option>)}
        {unknown && <option value={value} disabled>{format(strings.History_Unknown, value)}</option>}
      </select>
      {hint && <p id={`${id}-hint`} className={classes.hint}>{hint}</p>}
    </div>
  );
};
