/** @jest-environment jsdom */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { languageOf, mountDeclineDialog } from "../../webresources/declinedialog/dialog";
import { CLOSE_REASONS } from "../../sync/schema/referral";

function open(search = "") {
  const html = readFileSync(join(__dirname, "..", "..", "webresources", "declinedialog", "declinedialog.html"), "utf8");
  document.documentElement.innerHTML = html.replace(/<!doctype html>/i, "");
  const win = { returnValue: "untouched" as unknown, close: jest.fn(), location: { search } };
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

describe("decline dialog in the user's language", () => {
  it("speaks Korean when the ribbon passes 1042, and still returns the reason's code", () => {
    const win = open("?data=1042&userlcid=1042");
    expect(document.getElementById("title")!.textContent).toBe("이 추천을 거절하는 이유는 무엇인가요?");
    expect(document.getElementById("submit")!.textContent).toBe("추천 거절");
    expect(document.querySelector('input[value="3"]')!.parentElement!.textContent!.trim()).toBe("고객이 다른 공급업체를 선택함");
    document.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    expect(document.getElementById("error")!.textContent).toBe("이 추천을 거절하는 이유를 선택하세요.");
    (document.querySelector('input[value="3"]') as HTMLInputElement).click();
    document.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    expect(win.returnValue).toEqual({ reasonCode: 3 });
  });

  it("reads English for any other language, or none", () => {
    open("?data=1031");
    expect(document.getElementById("title")!.textContent).toBe("Why are you declining this referral?");
    expect(languageOf("?orgname=contoso&userlcid=1042")).toBe(1042);
    expect(languageOf("")).toBeUndefined();
  });
});
