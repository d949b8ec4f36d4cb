/** @jsx h */
import * as React from "react";
import { Dropdown, type IDropdownOption } from "@fluentui/react/lib/Dropdown";
import { HELP_TYPES } from "../../../sync/engine/dynamics";
import type { PanelStrings } from "../strings";
import { h } from "./jsx";

export interface HelpTypeFieldProps {
  value: number | null;
  onChange(value: number | null): void;
  disabled: boolean;
  strings: PanelStrings;
}

const NONE = "none";

/** "How can Microsoft help?": the six answers of D.4; no answer means the deal is not co-sell. */
export const HelpTypeField: React.FC<HelpTypeFieldProps> = ({ value, onChange, disabled, strings }) => {
  const options: IDropdownOption[] = [
    { key: NONE, text: strings.Help_None },
    ...HELP_TYPES.map((h) => ({ key: h.value, text: strings[`Help_${h.code}`] })),
  ];
  const known = HELP_TYPES.some((h) => h.value === value);
  return (
    <Dropdown
      label={strings.Help_Label}
      options={options}
      selectedKey={value == null ? NONE : known ? value : null}
      disabled={disabled}
      onChange={(_e, option) => option && onChange(option.key === NONE ? null : Number(option.key))}
    />
  );
};
