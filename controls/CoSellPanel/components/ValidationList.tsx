/** @jsx h */
import * as React from "react";
import { MessageBar, MessageBarType } from "@fluentui/react";
import type { ValidationCheck } from "../../../sync/engine/validation";
import { format, type PanelStrings, type StringKey } from "../strings";
import type { Loadable } from "./useCoSellData";
import { classes } from "./styles";
import { Hint } from "./Section";
import { h } from "./jsx";

export interface ValidationListProps {
  /** Problems for the deal as it would be saved, or why they cannot be computed. */
  check: Loadable<ValidationCheck[]>;
  strings: PanelStrings;
}

/** A string of the user's language, or null for a key this version has no text for (getString echoes an unknown key). */
function known(strings: PanelStrings, key: StringKey): string | null {
  const text = strings[key];
  return text === key ? null : text;
}

/**
 * A problem in the user's language: its `Problem_<code>` sentence with the problem's values, a
 * field the problem names (`dealName`) by its label; the code and column for a code with no text.
 */
function problemText(p: ValidationCheck, strings: PanelStrings): string {
  const text = known(strings, `Problem_${p.code}`);
  return text ? format(text, ...(p.args ?? []).map((arg) => known(strings, `Field_${arg}`) ?? arg)) : `${p.column}: ${p.code}`;
}

/** What Partner Center would refuse, shown as soon as sync is turned on: before the seller saves. */
export const ValidationList: React.FC<ValidationListProps> = ({ check, strings }) => {
  switch (check.state) {
    case "unavailable":
      return <Hint>{strings.Validation_NeedsRecord}</Hint>;
    case "loading":
      return <p className={classes.hint} aria-busy="true">{strings.Validation_Loading}</p>;
    case "failed":
      return <p className={classes.error} role="alert">{format(strings.Validation_LoadFailed, check.message)}</p>;
    case "loaded":
      if (check.value.length === 0) return <Hint>{strings.Validation_Ready}</Hint>;
      return (
        <MessageBar messageBarType={MessageBarType.warning} role="alert" delayedRender={false} isMultiline>
          <div className={classes.stack}>
            <strong id="cosell-validation-heading">{strings.Validation_Heading}</strong>
            <ul className={classes.list} aria-labelledby="cosell-validation-heading">
              {check.value.map((p) => (
                <li key={`${p.code}:${p.column}`} data-code={p.code} data-column={p.column}>{problemText(p, strings)}</li>
              ))}
            </ul>
          </div>
        </MessageBar>
      );
  }
};
