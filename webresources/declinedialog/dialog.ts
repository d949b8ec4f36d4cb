/**
 * Script of the decline dialog (`cosell_/declinedialog.html`), inlined into the page by build.mjs.
 * Lists the eight decline reasons and hands the chosen code back to Xrm.Navigation.navigateTo
 * through `window.returnValue`; Cancel closes without one.
 */
import { CLOSE_REASONS } from "../../sync/schema/referral";

export interface DeclineDialogResult {
  reasonCode: number;
}

export function mountDeclineDialog(doc: Document, win: Window & { returnValue?: unknown }): void {
  const list = doc.getElementById("reasons")!;
  const form = doc.getElementById("decline") as HTMLFormElement;
  const error = doc.getElementById("error")!;
  for (const reason of CLOSE_REASONS) {
    const label = doc.createElement("label");
    const input = doc.createElement("input");
    input.type = "radio";
    input.name = "reason";
    input.value = String(reason.code);
    input.required = true;
    label.append(input, " ", reason.text);
    list.append(label);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = form.querySelector<HTMLInputElement>('input[name="reason"]:checked');
    if (!chosen) {
      error.textContent = "Choose why you are declining this referral.";
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
