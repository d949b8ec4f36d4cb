/**
 * Script of the decline dialog (`cosell_/declinedialog.html`), inlined into the page by build.mjs.
 * Lists the eight decline reasons and hands the chosen code back to Xrm.Navigation.navigateTo
 * through `window.returnValue`; Cancel closes without one. It speaks the user's language: the
 * ribbon passes the LCID as the page's `data` parameter (navigateTo's pageInput.data), and an HTML
 * web resource opened by Dynamics also gets `userlcid`.
 */
import { CLOSE_REASONS } from "../../sync/schema/referral";
import { textsFor } from "../texts";

/** The user's LCID from the page's query string, if it carries one. */
export function languageOf(search: string): number | undefined {
  const params = new URLSearchParams(search);
  const lcid = Number(params.get("userlcid") ?? params.get("data"));
  return Number.isInteger(lcid) && lcid > 0 ? lcid : undefined;
}

export interface DeclineDialogResult {
  reasonCode: number;
}

export function mountDeclineDialog(doc: Document, win: Window & { returnValue?: unknown }): void {
  const list = doc.getElementById("reasons")!;
  const form = doc.getElementById("decline") as HTMLFormElement;
  const error = doc.getElementById("error")!;
  const lcid = languageOf(win.location?.search ?? "");
  const t = textsFor(lcid).dialog;
  if (lcid === 1042) doc.documentElement.lang = "ko";
  doc.title = textsFor(lcid).declineTitle;
  doc.getElementById("title")!.textContent = t.heading;
  doc.getElementById("intro")!.textContent = t.intro;
  doc.getElementById("submit")!.textContent = t.submit;
  doc.getElementById("cancel")!.textContent = t.cancel;
  for (const reason of CLOSE_REASONS) {
    const label = doc.createElement("label");
    const input = doc.createElement("input");
    input.type = "radio";
    input.name = "reason";
    input.value = String(reason.code);
    input.required = true;
    label.append(input, " ", t.reasons[reason.code]);
    list.append(label);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = form.querySelector<HTMLInputElement>('input[name="reason"]:checked');
    if (!chosen) {
      error.textContent = t.choose;
      return;
    }
    const result: DeclineDialogResult = { reasonCode: Number(chosen.value) };
    win.returnValue = result;
    win.close();
  });
  doc.getElementById("cancel")!.addEventListener("click", () => {
    win.returnValue = undefined;
    win.close();
  });
  list.querySelector("input")?.focus();
}

if (typeof document !== "undefined" && document.getElementById("reasons")) mountDeclineDialog(document, window);
