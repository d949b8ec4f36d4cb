/** @jsx h */
/** @jsxFrag Fragment */
import * as React from "react";
import { DefaultButton, IconButton, TextField, type ITextField } from "@fluentui/react";
import { MAX_SOLUTIONS } from "../../../sync/schema/referral";
import { EXAMPLE_SOLUTION } from "../../../sync/engine/validation";
import { refuseSolutionId, type SolutionIdRefusal } from "../model/solutionIds";
import { format, type PanelStrings, type StringKey } from "../strings";
import { classes } from "./styles";
import { Hint, Section } from "./Section";
import { h, Fragment } from "./jsx";

export interface SolutionIdChipsProps {
  ids: readonly string[];
  onChange(ids: string[]): void;
  disabled: boolean;
  narrow: boolean;
  strings: PanelStrings;
}

/** Solutions_ErrorEmpty, _ErrorFormat…: the refused ID fills the slot, or the limit for a full list. */
function refusalText(refusal: SolutionIdRefusal, id: string, strings: PanelStrings): string {
  const key = `Solutions_Error${refusal[0].toUpperCase()}${refusal.slice(1)}` as StringKey;
  return format(strings[key], refusal === "limit" ? MAX_SOLUTIONS : id);
}

/** Products by solution ID, as removable chips plus a field to add one (checked before it joins the list). */
export const SolutionIdChips: React.FC<SolutionIdChipsProps> = ({ ids, onChange, disabled, narrow, strings }) => {
  const [draft, setDraft] = React.useState("");
  const [error, setError] = React.useState<string | undefined>();
  const input = React.useRef<ITextField>(null);

  const add = (): void => {
    const id = draft.trim();
    const refusal = refuseSolutionId(id, ids);
    if (refusal) {
      // The typed text stays so the seller can correct it.
      setError(refusalText(refusal, id, strings));
      return;
    }
    onChange([...ids, id]);
    setDraft("");
    setError(undefined);
  };

  const remove = (index: number): void => {
    onChange(ids.filter((_, i) => i !== index));
    setError(undefined);
    input.current?.focus();
  };

  return (
    <Section
      id="solutions"
      title={<>{strings.Solutions_Label} <span className={classes.hint}>{format(strings.Solutions_Count, ids.length, MAX_SOLUTIONS)}</span></>}
    >
      {ids.length === 0 ? (
        <Hint>{strings.Solutions_Empty}</Hint>
      ) : (
        <ul className={classes.chips} aria-labelledby="cosell-solutions-heading">
          {ids.map((id, i) => {
            const label = format(strings.Solutions_Remove, id);
            return (
            <li key={id} className={classes.chip}>
              <span>{id}</span>
              <IconButton
                className={classes.chipRemove}
                iconProps={{ iconName: "Cancel" }}
                ariaLabel={label}
                title={label}
                disabled={disabled}
                onClick={() => remove(i)}
                onKeyDown={(e: React.KeyboardEvent<HTMLElement>) => {
                  if (e.key === "Delete" || e.key === "Backspace") {
                    e.preventDefault();
                    remove(i);
                  }
                }}
              />
            </li>
            );
          })}
        </ul>
      )}
      {!disabled && (
        <div className={`${classes.row} ${narrow ? classes.narrow : ""}`}>
          <TextField
            className={classes.grow}
            componentRef={input}
            ariaLabel={strings.Solutions_Input}
            errorMessage={error}
            placeholder={EXAMPLE_SOLUTION}
            value={draft}
            autoComplete="off"
            spellCheck={false}
            onChange={(_, value) => {
              setDraft(value ?? "");
              if (error) setError(undefined);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                add();
              }
            }}
          />
          <DefaultButton text={strings.Solutions_Add} onClick={add} />
        </div>
      )}
    </Section>
  );
};
