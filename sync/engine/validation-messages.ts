/**
 * The English sentence of each validation problem, as the service records it in the sync error and
 * the sync events. Apart from the checks (validation.ts) so the form panel, which words them in the
 * user's language through its .resx, does not carry these sentences in its 30 KB bundle.
 */
import { checkForPartnerCenter, type CheckOptions, type ValidationCheck, type ValidationProblem } from "./validation";
import type { DynamicsDeal } from "../schema/dynamics";

/** The default mapping's fields the length rule names (LENGTH_LIMITS), as a sentence starts with them. */
const FIELD_LABELS: Record<string, string> = {
  dealName: "The opportunity topic",
  notesForMicrosoft: "The notes for Microsoft",
  customerName: "The customer's account name",
  customerStreet: "The customer's street address",
  customerStreet2: "The customer's second address line",
  customerCity: "The customer's city",
  customerState: "The customer's state or province",
  customerPostalCode: "The customer's postal code",
  contactFirstName: "The contact's first name",
  contactLastName: "The contact's last name",
  contactEmail: "The contact's email",
  contactPhone: "The contact's phone number",
};

type Sentence = (...args: Array<string | number>) => string;

const SENTENCES: Record<string, Sentence> = {
  "name.missing": () => "Give the opportunity a topic; Partner Center uses it as the deal name.",
  "customer.missing": () => "Choose the customer account for this opportunity.",
  "customer.nameMissing": () => "Give the customer account a name.",
  "country.missing": () => "Add the country to the customer's address (for example Germany or DE).",
  "country.unknown": (country) => `The customer's country "${country}" is not a country name or two-letter code Partner Center knows; use, for example, Germany or DE.`,
  "solutions.missing": (example) => `Add at least one solution ID (for example ${example}).`,
  "solutions.invalid": (list, example) => `These solution IDs are neither SOL-… codes nor GUIDs: ${list}; fix them (for example ${example}).`,
  "solutions.duplicate": (list) => `Remove the repeated solution IDs: ${list}.`,
  "solutions.tooMany": (max, count) => `Partner Center takes at most ${max} solution IDs; this opportunity has ${count}.`,
  "dealValue.missing": () => "Enter the estimated revenue (0 or more).",
  "dealValue.invalid": () => "The estimated revenue must be a number (0 or more).",
  "dealValue.negative": () => "The estimated revenue cannot be negative.",
  "dealValue.tooLarge": (max) => `The estimated revenue is more than Dataverse and Partner Center can hold; enter at most ${max}.`,
  "dealValue.precision": (value, currency, decimals) => `The estimated revenue ${value} has more decimals than ${currency} keeps; round it to ${decimals} decimal${decimals === 1 ? "" : "s"}.`,
  "currency.missing": () => "Choose the currency of the opportunity.",
  "currency.unknown": (code) => `The currency code "${code}" is not an ISO 4217 code (for example USD or EUR); fix the currency record.`,
  "closeDate.missing": () => "Enter the estimated close date.",
  "closeDate.invalid": (date) => `The estimated close date "${date}" is not a date.`,
  "closeDate.past": () => "The estimated close date is in the past; choose today or a later date.",
  "visibility.privateCoSell": () => "A private referral cannot ask for Microsoft's help: make it visible, or clear \"How can Microsoft help?\".",
  "helpType.unknown": () => "Choose one of the listed answers to \"How can Microsoft help?\".",
  "contact.missing": () => "Choose a customer contact: Microsoft needs one when you ask for its help.",
  "contact.firstNameMissing": () => "Add the customer contact's first name.",
  "contact.lastNameMissing": () => "Add the customer contact's last name.",
  "contact.reachMissing": () => "Add the customer contact's email or phone number.",
  "contact.emailInvalid": (email) => `The customer contact's email "${email}" is not an email address.`,
  "text.tooLong": (field, length, max) => `${FIELD_LABELS[field] ?? field} is ${length} characters long; Partner Center takes at most ${max}.`,
};

/** The codes that have a sentence: every code the checks raise (test/engine/validation.test.ts keeps it so). */
export const VALIDATION_CODES: readonly string[] = Object.keys(SENTENCES);

/** A check in English. */
function problemOf(check: ValidationCheck): ValidationProblem {
  const sentence = SENTENCES[check.code];
  return { ...check, message: sentence ? sentence(...(check.args ?? [])) : `${check.column}: ${check.code}.` };
}

/** What Partner Center needs before a deal can be shared, each problem with its English sentence. */
export function validateForPartnerCenter(deal: DynamicsDeal, now: Date, options: CheckOptions = {}): ValidationProblem[] {
  return checkForPartnerCenter(deal, now, options).map(problemOf);
}
