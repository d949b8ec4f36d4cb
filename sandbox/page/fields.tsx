/** The Opportunity form's field controls, as a model-driven form draws them (Fluent 8). */
import * as React from "react";
import { Dropdown, TextField } from "@fluentui/react";
import { MONEY_RANGE } from "../../sync/contracts/money";

const plain = (n: number): string => n.toLocaleString("en-US", { maximumFractionDigits: 20 });

/**
 * A money field like Dynamics' own: the seller's text stays as typed (99999999999999999 is not shown
 * back as 100000000000000000), and a value outside the column's range is named with the range.
 */
export function MoneyField(props: { label: string; value: number | null | undefined; disabled: boolean; onChange(value: number | null, problem: string | null): void }) {
  const shown = props.value == null ? "" : String(props.value);
  const [text, setText] = React.useState(shown);
  const [problem, setProblem] = React.useState<string | null>(null);
  // A value from elsewhere (the record read again, Partner Center's change) replaces the text.
  React.useEffect(() => {
    if (problem === null && Number(text) !== props.value) setText(shown);
  }, [shown]);
  const change = (next: string) => {
    setText(next);
    const value = next.trim() === "" ? null : Number(next);
    const wrong =
      value !== null && (!Number.isFinite(value) || value < MONEY_RANGE.min || value > MONEY_RANGE.max)
        ? `Enter a value from ${plain(MONEY_RANGE.min)} to ${plain(MONEY_RANGE.max)}.`
        : null;
    setProblem(wrong);
    props.onChange(value, wrong);
  };
  // Fluent marks the input aria-invalid and describes it by the message, which it shows as an alert.
  return <TextField label={props.label} inputMode="decimal" value={text} disabled={props.disabled} errorMessage={problem ?? undefined} onChange={(_, v) => change(v ?? "")} />;
}

/** A lookup (customer, contact, currency): one of the rows, or none ("—"). */
export function LookupField(props: { label: string; value: unknown; options: Array<{ key: string; text: string }>; disabled: boolean; onChange(id: string | null): void }) {
  return (
    <Dropdown
      label={props.label}
      selectedKey={props.value == null ? "" : String(props.value)}
      options={[{ key: "", text: "—" }, ...props.options]}
      disabled={props.disabled}
      onChange={(_, option) => option && props.onChange(option.key === "" ? null : String(option.key))}
    />
  );
}
