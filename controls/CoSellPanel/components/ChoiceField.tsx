/** @jsx h */
import * as React from "react";
import { Dropdown, type IDropdownOption } from "@fluentui/react";
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

/** The key of the empty answer: choice values are numbers, so a string cannot clash with one. */
const NONE = "none";

/**
 * A choice column ("How can Microsoft help?", "Referral visibility") as the platform's Dropdown,
 * as Dynamics shows its own choice columns. A value the panel does not know (a newer option in the
 * solution) is shown as such, never as "none" or as the first choice, and cannot be picked again.
 */
export const ChoiceField: React.FC<ChoiceFieldProps> = ({ prefix, choices, none, value, onChange, disabled, strings, hint }) => {
  const id = `cosell-${prefix.toLowerCase()}`;
  const unknown = value != null && !choices.some((c) => c.value === value);
  const text = (key: string): string => strings[`${prefix}_${key}` as StringKey];
  const options: IDropdownOption[] = [
    ...(none ? [{ key: NONE, text: text("None") }] : []),
    ...choices.map((c) => ({ key: c.value, text: text(c.code) })),
    ...(unknown ? [{ key: value, text: format(strings.History_Unknown, value), disabled: true }] : []),
  ];
  return (
    <div className={classes.section}>
      <Dropdown
        id={id}
        label={text("Label")}
        options={options}
        selectedKey={value != null ? value : none ? NONE : choices[0].value}
        disabled={disabled}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(_, option) => option && onChange(option.key === NONE ? null : Number(option.key))}
      />
      {hint && <p id={`${id}-hint`} className={classes.hint}>{hint}</p>}
    </div>
  );
};
