/** @jsx h */
import * as React from "react";
import { TextField, type ITextField } from "@fluentui/react/lib/TextField";
import { DefaultButton } from "@fluentui/react/lib/Button";
import { MAX_SOLUTIONS } from "../../../sync/engine/referral";
import { refuseSolutionId, type SolutionIdRefusal } from "../model/solutionIds";
import { format, type PanelStrings } from "../strings";
import { classes } from "./styles";
import { h } from "./jsx";

export interface SolutionIdChipsProps {
  ids: readonly string[];
  onChange(ids: string[]): void;
  disabled: boolean;
  narrow: boolean;
  strings: PanelStrings;
}

function refusalText(refusal: SolutionIdRefusal, id: string, strings: PanelStrings): string {
  switch (refusal) {
    case "empty": return strings.Solutions_ErrorEmpty;
    case "format": return format(strings.Solutions_ErrorFormat, id);
    case "duplicate": return format(strings.Solutions_ErrorDuplicate, id);
    case "limit": return format(strings.Solutions_ErrorLimit, MAX_SOLUTIONS);
  }
}

/** Products by solution ID, as removable chips plus a field to add one (checked before it joins the list). */
export const SolutionIdChips: React.FC<SolutionIdChipsProps> = ({ ids, onChange, disabled, narrow, strings }) => {
  // Indexing, not `const [draft, setDraft]`: the panel build's Babel turns array destructuring into a ~1 KB helper per file.
  const draftState = React.useState("");
  const draft = draftState[0];
  const setDraft = draftState[1];
  const errorState = React.useState<string | undefined>();
  const error = errorState[0];
  const setError = errorState[1];
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
    <section className={classes.section} aria-labelledby="cosell-solutions-heading">
      <h3 id="cosell-solutions-heading" className={classes.heading}>
        {strings.Solutions_Label}{" "}
        <span className={classes.hint}>{format(strings.Solutions_Count, ids.length, MAX_SOLUTIONS)}</span>
      </h3>
      {ids.length === 0 ? (
        <p className={classes.hint}>{strings.Solutions_Empty}</p>
      ) : (
        <ul className={classes.chips} aria-labelledby="cosell-solutions-heading">
          {ids.map((id, i) => (
            <li key={id} className={classes.chip}>
              <span>{id}</span>
              <button
                type="button"
                className={classes.chipRemove}
                aria-label={format(strings.Solutions_Remove, id)}
                title={format(strings.Solutions_Remove, id)}
                disabled={disabled}
                onClick={() => remove(i)}
                onKeyDown={(e) => {
                  if (e.key === "Delete" || e.key === "Backspace") {
                    e.preventDefault();
                    remove(i);
                  }
                }}
              >
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {!disabled && (
        <div className={[classes.addRow, narrow ? classes.addRowNarrow : undefined].filter(Boolean).join(" ")}>
          <TextField
            className={classes.grow}
            componentRef={input}
            ariaLabel={strings.Solutions_Input}
            placeholder="SOL-15974-MQF"
            value={draft}
            errorMessage={error}
            autoComplete="off"
            spellCheck={false}
            onChange={(_e, v) => {
              setDraft(v ?? "");
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
    </section>
  );
};
