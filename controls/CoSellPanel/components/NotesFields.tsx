/** @jsx h */
/** @jsxFrag Fragment */
import * as React from "react";
import { TextField } from "@fluentui/react";
import { OPPORTUNITY_COLUMNS, TEXT_LENGTHS } from "../../../sync/schema/dynamics";
import type { PanelStrings } from "../strings";
import { h, Fragment } from "./jsx";

export interface NotesFieldsProps {
  notesForMicrosoft: string | null;
  notesFromMicrosoft: string | null;
  onChange(notesForMicrosoft: string | null): void;
  disabled: boolean;
  strings: PanelStrings;
}

/** A labelled text area; without onChange it is read-only and says `empty` when there is no text. */
const Note: React.FC<{ id: string; label: string; value: string | null; onChange?(value: string | null): void; disabled?: boolean; hint?: string; empty?: string }> = (p) => (
  <TextField
    id={p.id}
    label={p.label}
    multiline
    rows={3}
    resizable={false}
    readOnly={!p.onChange}
    disabled={p.disabled}
    maxLength={TEXT_LENGTHS[OPPORTUNITY_COLUMNS.notesForMicrosoft]}
    value={p.value ?? ""}
    placeholder={p.empty}
    description={p.hint}
    // An emptied field clears the column rather than storing "".
    onChange={p.onChange && ((_, value) => p.onChange!(value || null))}
  />
);

/**
 * The referral's notes as two fields: what the seller writes for Microsoft (sent), and what
 * Microsoft wrote (shown read-only). Two columns, so Microsoft's text never lands in the seller's
 * own Description or notes.
 */
export const NotesFields: React.FC<NotesFieldsProps> = ({ notesForMicrosoft, notesFromMicrosoft, onChange, disabled, strings }) => (
  <>
    <Note id="cosell-notes-for" label={strings.Notes_ForMicrosoft_Label} value={notesForMicrosoft} onChange={onChange} disabled={disabled} hint={strings.Notes_ForMicrosoft_Hint} />
    <Note id="cosell-notes-from" label={strings.Notes_FromMicrosoft_Label} value={notesFromMicrosoft} empty={strings.Notes_FromMicrosoft_None} />
  </>
);
