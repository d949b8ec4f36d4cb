/** @jest-environment jsdom */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mountDeclineDialog } from "../../webresources/declinedialog/dialog";
import { CLOSE_REASONS } from "../../sync/schema/referral";

function open() {
  const html = readFileSync(join(__dirname, "..", "..", "webresources", "declinedialog", "declinedialog.html"), "utf8");
  document.documentElement.innerHTML = html.replace(/<!doctype html>/i, "");
  const win = { returnValue: "untouched" as unknown, close: jest.fn() };
  mountDeclineDialog(document, win as unknown as Window);
  return win;
}

describe("decline dialog", () => {
  it("lists the eight reasons as radio buttons", () => {
    open();
    const labels = Array.from(document.querySelectorAll("label")).map((l) => l.textContent!.trim());
    expect(labels).toEqual(CLOSE_REASONS.map((r) => r.text));
    expect(document.querySelectorAll('input[type="radio"][name="reason"]')).toHaveLength(8);
  });

  it("asks for a reason instead of closing without one", () => {
    const win = open();
    document.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    expect(document.getElementById("error")!.textContent).toMatch(/Choose why/);
    expect(win.close).not.toHaveBeenCalled();
  });

  it("returns the chosen reason's code", () => {
    const win = open();
    (document.querySelector('input[value="5"]') as HTMLInputElement).click();
    document.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    expect(win.returnValue).toEqual({ reasonCode: 5 });
    expect(win.close).toHaveBeenCalled();
  });

  it("returns nothing on Cancel", () => {
    const win = open();
    (document.getElementById("cancel") as HTMLButtonElement).click();
    expect(win.returnValue).toBeUndefined();
    expect(win.close).toHaveBeenCalled();
  });
});
