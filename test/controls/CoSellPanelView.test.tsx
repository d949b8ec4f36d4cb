/** @jest-environment jsdom */
import * as React from "react";
import { act, cleanup, render, screen, within, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { setIconOptions } from "@fluentui/react/lib/Styling";
import { CoSellPanelView, type CoSellPanelViewProps } from "../../controls/CoSellPanel/components/CoSellPanelView";
import { EMPTY_PANEL_VALUES, type PanelEdit, type PanelValues } from "../../controls/CoSellPanel/model/panelValues";
import { HELP_TYPES, HELP_TYPE_LABELS, REFERRAL_VISIBILITY, REFERRAL_VISIBILITY_LABELS, SYNC_STATUS, syncResultValue, type SyncStatusName } from "../../sync/schema/dynamics";
import type { CoSellData } from "../../controls/CoSellPanel/data/CoSellData";
import { panelStrings } from "./resx";
import { eventRow, fakeData, readyDeal } from "./fakeData";
import { parseSyncEventRow } from "../../controls/CoSellPanel/model/syncEvents";

// The model-driven host registers Fluent's icons; the test page does not.
setIconOptions({ disableWarnings: true });

const strings = panelStrings(1033);
const NOW = new Date("2025-03-01T10:00:00Z");
const RECORD = "6f1c2f4e-8a55-4c1e-9d1b-1f0a3c2b9e77";

/** Plays the form: keeps the bound values and applies the panel's edits, as the host does after getOutputs. */
function Form(props: { initial?: Partial<PanelValues>; edits?: PanelEdit[] } & Partial<CoSellPanelViewProps>): React.ReactElement {
  const [values, setValues] = React.useState<PanelValues>({ ...EMPTY_PANEL_VALUES, ...props.initial });
  return (
    <CoSellPanelView
      values={values}
      onChange={(edit) => {
        props.edits?.push(edit);
        setValues((v) => ({ ...v, ...edit }));
      }}
      recordId={props.recordId === undefined ? RECORD : props.recordId}
      data={props.data ?? null}
      strings={strings}
      disabled={props.disabled ?? false}
      width={props.width}
      now={() => NOW}
    />
  );
}

const statusOf = (container: HTMLElement): HTMLElement => container.querySelector("[data-status]") as HTMLElement;

/** The choice a Fluent Dropdown shows (its title), its options (opened, read, closed again), and picking one as a seller would. */
const shownChoice = (field: HTMLElement): string | null => document.getElementById(`${field.id}-option`)!.textContent;
async function choicesOf(field: HTMLElement): Promise<string[]> {
  await userEvent.click(field);
  const texts = screen.getAllByRole("option").map((o) => o.textContent ?? "");
  await userEvent.keyboard("{Escape}");
  return texts;
}
async function pick(field: HTMLElement, text: string): Promise<void> {
  await userEvent.click(field);
  await userEvent.click(screen.getByRole("option", { name: text }));
}

describe("sync status", () => {
  const cases: Array<[SyncStatusName, RegExp]> = [
    ["Pending", /Pending/],
    ["NotSynced", /Not synced.*Turn on Sync with Partner Center/],
    ["AwaitingResponse", /Awaiting your response.*Accept or decline/],
    ["ClosedInPartnerCenter", /Closed in Partner Center.*no longer sent/],
    ["ExpiredInPartnerCenter", /Expired in Partner Center.*no longer sent/],
    ["SignInExpired", /Sign-in expired.*Ask your admin/],
  ];
  it.each(cases)("shows %s in words", (name, text) => {
    const { container } = render(<Form initial={{ syncStatus: SYNC_STATUS[name] }} recordId={null} />);
    expect(statusOf(container).getAttribute("data-status")).toBe(name);
    expect(statusOf(container).textContent).toMatch(text);
  });

  it("shows Synced with how long ago, and the exact time on hover", () => {
    const { container } = render(<Form initial={{ syncStatus: SYNC_STATUS.Synced, lastSyncedOn: new Date(NOW.getTime() - 3 * 60_000) }} recordId={null} />);
    expect(statusOf(container).textContent).toContain("Synced");
    expect(screen.getByText("last synced 3 min. ago")).toHaveProperty("title", expect.stringContaining("2025"));
  });

  it("shows the error and each field to fix", () => {
    const { container } = render(
      <Form
        initial={{ syncStatus: SYNC_STATUS.Error, syncError: "Partner Center refused the deal.\nAdd the country to the customer's address.\nAdd at least one solution ID." }}
        recordId={null}
      />,
    );
    const box = statusOf(container);
    expect(box.textContent).toContain("Partner Center refused the deal.");
    expect(within(box).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "Add the country to the customer's address.",
      "Add at least one solution ID.",
    ]);
  });

  it("treats a record the service never touched as not synced", () => {
    const { container } = render(<Form recordId={null} />);
    expect(statusOf(container).getAttribute("data-status")).toBe("NotSynced");
  });
});

describe("sync toggle and validation before save", () => {
  it("lists every problem Partner Center would raise as soon as sync is turned on", async () => {
    const edits: PanelEdit[] = [];
    const deal = readyDeal({ cosell_solutionids: null });
    deal.contact = null;
    render(<Form data={fakeData(deal)} edits={edits} initial={{ howCanMicrosoftHelp: HELP_TYPES[0].value }} />);
    expect(screen.queryByText(/will refuse this deal/)).toBeNull();

    await userEvent.click(screen.getByRole("switch", { name: "Sync with Partner Center" }));
    expect(edits).toContainEqual({ syncWithPartnerCenter: true });
    const alert = await screen.findByRole("alert");
    const problems = within(alert).getAllByRole("listitem");
    expect(problems.map((p) => p.getAttribute("data-column"))).toEqual(
      expect.arrayContaining(["opportunity.cosell_solutionids", "opportunity.parentcontactid"]),
    );
    expect(alert.textContent).toMatch(/Add at least one solution ID/);

    // Fixing a field in the panel re-checks at once, still before saving.
    await userEvent.type(screen.getByRole("textbox", { name: "Add a solution ID" }), "SOL-15974-MQF{Enter}");
    await waitFor(() => expect(screen.getByRole("alert").textContent).not.toMatch(/solution ID/));
    await pick(screen.getByRole("combobox", { name: /How can Microsoft help/ }), "(None: not co-sell)");
    expect(await screen.findByText("Ready to share with Partner Center.")).toBeTruthy();
  });

  it("asks for a saved record when there is nothing to validate against (the test harness)", async () => {
    render(<Form recordId={null} />);
    await userEvent.click(screen.getByRole("switch", { name: "Sync with Partner Center" }));
    expect(screen.getByText(/Save the record to check it/)).toBeTruthy();
  });

  it("says so when the deal cannot be loaded", async () => {
    const failing: CoSellData = { loadDeal: () => Promise.reject(new Error("HTTP 500")), loadSyncEvents: () => Promise.resolve({ events: [], more: false }) };
    render(<Form data={failing} initial={{ syncWithPartnerCenter: true }} />);
    expect((await screen.findByRole("alert")).textContent).toContain("Could not load the deal to check it: HTTP 500");
  });
});

describe("How can Microsoft help?", () => {
  it("offers the six answers plus none, and stores the choice value", async () => {
    const edits: PanelEdit[] = [];
    render(<Form recordId={null} edits={edits} />);
    const field = screen.getByRole("combobox", { name: /How can Microsoft help/ });
    expect(await choicesOf(field)).toEqual(["(None: not co-sell)", ...HELP_TYPES.map((h) => HELP_TYPE_LABELS[h.code])]);
    expect(shownChoice(field)).toBe("(None: not co-sell)");
    await pick(field, "Proof of concept / Demo");
    expect(edits).toEqual([{ howCanMicrosoftHelp: HELP_TYPES[2].value }]);
    expect(shownChoice(field)).toBe("Proof of concept / Demo");
  });
});

describe("How can Microsoft help? with a value the panel does not know", () => {
  it("shows it as unknown, not as none, and lets the seller pick a listed answer", async () => {
    const edits: PanelEdit[] = [];
    render(<Form recordId={null} edits={edits} initial={{ howCanMicrosoftHelp: 731500099 }} />);
    const field = screen.getByRole("combobox", { name: /How can Microsoft help/ });
    expect(shownChoice(field)).toBe("Unknown (731500099)");
    await pick(field, "Quotes and licensing");
    expect(edits).toEqual([{ howCanMicrosoftHelp: HELP_TYPES[3].value }]);
  });
});

describe("Referral visibility", () => {
  const field = (): HTMLElement => screen.getByRole("combobox", { name: /^Referral visibility/ });
  const HINT = "Microsoft sellers will not see this referral; co-sell help needs it visible.";

  it("sits right after How can Microsoft help?, and shows no value as visible to Microsoft sellers", async () => {
    render(<Form recordId={null} />);
    const selects = screen.getAllByRole("combobox").map((s) => s.id);
    expect(selects.slice(0, 2)).toEqual(["cosell-help", "cosell-visibility"]);
    const visibility = field();
    expect(shownChoice(visibility)).toBe("Visible to Microsoft sellers");
    expect(screen.queryByText(HINT)).toBeNull();
    expect(await choicesOf(visibility)).toEqual([REFERRAL_VISIBILITY_LABELS.MicrosoftSellers, REFERRAL_VISIBILITY_LABELS.Private]);
  });

  it("choosing Private writes 731500021 and says what it costs; choosing visible again writes 731500020", async () => {
    const edits: PanelEdit[] = [];
    render(<Form recordId={null} edits={edits} />);
    await pick(field(), "Private (not shared with Microsoft sellers)");
    expect(edits).toEqual([{ referralVisibility: 731500021 }]);
    expect(REFERRAL_VISIBILITY.Private).toBe(731500021);
    expect(shownChoice(field())).toBe("Private (not shared with Microsoft sellers)");
    const hint = screen.getByText(HINT);
    expect(field().getAttribute("aria-describedby")).toBe(hint.id);

    await pick(field(), "Visible to Microsoft sellers");
    expect(edits.at(-1)).toEqual({ referralVisibility: REFERRAL_VISIBILITY.MicrosoftSellers });
    expect(screen.queryByText(HINT)).toBeNull();
    expect(field().hasAttribute("aria-describedby")).toBe(false);
  });

  it("shows a saved Private deal as private, with the hint", () => {
    render(<Form recordId={null} initial={{ referralVisibility: REFERRAL_VISIBILITY.Private }} />);
    expect(shownChoice(field())).toBe("Private (not shared with Microsoft sellers)");
    expect(screen.getByText(HINT)).toBeTruthy();
  });

  it("shows a value the panel does not know as unknown, not as visible", () => {
    render(<Form recordId={null} initial={{ referralVisibility: 731500099 }} />);
    expect(shownChoice(field())).toBe("Unknown (731500099)");
  });

  it("is read-only on a read-only form", () => {
    render(<Form recordId={null} disabled />);
    expect(field().getAttribute("aria-disabled")).toBe("true");
  });
});

describe("Microsoft CRM ID", () => {
  it("shows the id Microsoft's CRM gave the deal, as text nobody can edit", () => {
    const { container } = render(<Form recordId={null} initial={{ referralId: "ref-1", microsoftCrmId: "7-3FQ9X2KD" }} />);
    const row = screen.getByText("Microsoft CRM ID 7-3FQ9X2KD");
    expect(row.closest("section")!.getAttribute("aria-labelledby")).toBe("cosell-link-heading");
    expect(row.closest("input, textarea, select, [contenteditable]")).toBeNull();
    expect(Array.from(container.querySelectorAll("input, textarea")).map((i) => (i as HTMLInputElement).value)).not.toContain("7-3FQ9X2KD");
  });

  it("shows no row when the deal has none", () => {
    render(<Form recordId={null} initial={{ referralId: "ref-1" }} />);
    expect(screen.getByText("Referral ID ref-1")).toBeTruthy();
    expect(screen.queryByText(/Microsoft CRM ID/)).toBeNull();
  });
});

describe("solution ID chips", () => {
  const input = (): HTMLElement => screen.getByRole("textbox", { name: "Add a solution ID" });
  const chips = (): string[] => screen.queryAllByRole("listitem").map((li) => li.textContent!.replace("×", ""));

  it("adds a well-formed ID with Enter or the button and stores the list ;-separated", async () => {
    const edits: PanelEdit[] = [];
    render(<Form recordId={null} edits={edits} initial={{ solutionIds: "SOL-1" }} />);
    await userEvent.type(input(), "  SOL-15974-MQF {Enter}");
    await userEvent.type(input(), "SOL-2-AB");
    await userEvent.click(screen.getByRole("button", { name: "Add" }));
    expect(chips()).toEqual(["SOL-1", "SOL-15974-MQF", "SOL-2-AB"]);
    expect(edits.at(-1)).toEqual({ solutionIds: "SOL-1;SOL-15974-MQF;SOL-2-AB" });
    expect((input() as HTMLInputElement).value).toBe("");
  });

  it("refuses a malformed ID, keeps the text, and says why", async () => {
    const edits: PanelEdit[] = [];
    render(<Form recordId={null} edits={edits} />);
    await userEvent.type(input(), "15974-MQF{Enter}");
    expect(screen.getByRole("alert").textContent).toContain('"15974-MQF" is not a solution ID');
    expect((input() as HTMLInputElement).value).toBe("15974-MQF");
    expect(edits).toEqual([]);
  });

  it("refuses a duplicate whatever its case", async () => {
    render(<Form recordId={null} initial={{ solutionIds: "SOL-15974-MQF" }} />);
    await userEvent.type(input(), "SOL-15974-mqf{Enter}");
    expect(screen.getByRole("alert").textContent).toContain("already in the list");
    expect(chips()).toEqual(["SOL-15974-MQF"]);
  });

  it("refuses a 51st ID", async () => {
    const fifty = Array.from({ length: 50 }, (_, i) => `SOL-${i}`).join(";");
    render(<Form recordId={null} initial={{ solutionIds: fifty }} />);
    expect(screen.getByText("50 of 50")).toBeTruthy();
    await userEvent.type(input(), "SOL-NEW{Enter}");
    expect(screen.getByRole("alert").textContent).toContain("at most 50 solutions");
  });

  it("removes a chip by click and by keyboard", async () => {
    const edits: PanelEdit[] = [];
    render(<Form recordId={null} edits={edits} initial={{ solutionIds: "SOL-A;SOL-B;SOL-C" }} />);
    await userEvent.click(screen.getByRole("button", { name: "Remove SOL-B" }));
    expect(chips()).toEqual(["SOL-A", "SOL-C"]);
    screen.getByRole("button", { name: "Remove SOL-A" }).focus();
    await userEvent.keyboard("{Delete}");
    expect(chips()).toEqual(["SOL-C"]);
    await userEvent.tab({ shift: true });
    await userEvent.click(screen.getByRole("button", { name: "Remove SOL-C" }));
    expect(edits.at(-1)).toEqual({ solutionIds: null });
    expect(screen.getByText("No solutions yet.")).toBeTruthy();
  });
});

describe("referral link", () => {
  it("opens a Partner Center link in a new tab without an opener", () => {
    render(<Form recordId={null} initial={{ referralId: "ref-1", referralLink: "https://partner.microsoft.com/dashboard/referrals/v2/ref-1" }} />);
    const link = screen.getByRole("link", { name: /Open in Partner Center/ });
    expect(link.getAttribute("href")).toBe("https://partner.microsoft.com/dashboard/referrals/v2/ref-1");
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(screen.getByText("Referral ID ref-1")).toBeTruthy();
  });

  it.each([
    "javascript:alert(document.cookie)",
    "https://partner.microsoft.com.evil.example/referrals/1",
    "http://partner.microsoft.com/dashboard/referrals/v2/1",
    "https://example.com/",
  ])("never makes %s a link, and flags it", (url) => {
    const { container } = render(<Form recordId={null} initial={{ referralLink: url }} />);
    expect(screen.queryByRole("link")).toBeNull();
    expect(container.querySelector("a")).toBeNull();
    expect(screen.getByRole("note").textContent).toContain("does not point to Partner Center");
    expect(screen.getByText(url)).toBeTruthy();
  });
});

describe("audit history", () => {
  it("reads 10 events at a time (as Dynamics' timeline), newest first, until there are no more", async () => {
    const rows = Array.from({ length: 25 }, (_, i) => eventRow(i));
    const data = fakeData(readyDeal(), rows);
    render(<Form data={data} />);
    const timeline = (): HTMLElement => screen.getByRole("list", { name: "Audit history" });
    await waitFor(() => expect(within(timeline()).getAllByText(/Sync now · Dynamics 365 → Partner Center/)).toHaveLength(10));
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(within(timeline()).getAllByText(/Sync now · Dynamics 365 → Partner Center/)).toHaveLength(20));
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(within(timeline()).getAllByText(/Sync now · Dynamics 365 → Partner Center/)).toHaveLength(25));
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
    expect(data.calls.filter((c) => c.kind === "events").map((c) => c.page)).toEqual([0, 1, 2]);
    const times = Array.from(timeline().querySelectorAll("time")).map((t) => t.getAttribute("datetime")!);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("shows who, direction, each field before → after, conflicts and errors", async () => {
    const rows = [
      eventRow(1, {
        cosell_result: syncResultValue("validationFailed"),
        cosell_conflicts: JSON.stringify([
          { field: "Deal value", column: "opportunity.estimatedvalue", referralPath: "details.dealValue", dynamicsValue: 100, partnerCenterValue: 120, policy: "dynamicsWins", winner: "dynamics" },
        ]),
        cosell_errorcode: "solutions.missing",
        cosell_errormessage: "Add at least one solution ID.",
        cosell_changes: JSON.stringify([{ field: "Close date", before: null, after: "2025-06-30", side: "dynamics" }]),
      }),
    ];
    render(<Form data={fakeData(readyDeal(), rows)} />);
    const item = await screen.findByText("Not sent to Microsoft");
    const event = item.closest("li")!;
    expect(event.textContent).toContain("by Megan Bowen");
    expect(event.textContent).toContain("Dynamics 365 → Partner Center");
    expect(within(event).getByRole("list", { name: "Changes" }).textContent).toBe("Close date (in Dynamics 365): (empty) → Jun 30, 2025");
    expect(within(event).getByRole("list", { name: "Conflicts" }).textContent).toBe(
      "Deal value: Dynamics 365 had 100, Partner Center had 120. Resolved: the Dynamics 365 value was kept (dynamicsWins)",
    );
    expect(event.textContent).toContain("Error solutions.missing: Add at least one solution ID.");
  });

  it("shows amounts in full with thousands separators, never in exponent form", async () => {
    const rows = [eventRow(1, { cosell_changes: JSON.stringify([{ field: "Deal value", before: 1e21, after: 1234567.5, side: "partnerCenter" }]) })];
    render(<Form data={fakeData(readyDeal(), rows)} />);
    const changes = await screen.findByRole("list", { name: "Changes" });
    expect(changes.textContent).toBe("Deal value (in Partner Center): 1,000,000,000,000,000,000,000 → 1,234,567.5");
  });

  it("shows a deal value in the record's currency, in the user's locale", async () => {
    // The default mapping records the deal value as "dealValue"; the fake deal is in euros.
    const rows = [eventRow(1, { cosell_changes: JSON.stringify([{ field: "dealValue", before: 93000, after: 287000.5, side: "dynamics" }]) })];
    render(<Form data={fakeData(readyDeal(), rows)} />);
    const changes = await screen.findByRole("list", { name: "Changes" });
    await waitFor(() => expect(changes.textContent).toBe("Est. revenue (in Dynamics 365): €93,000.00 → €287,000.50"));
  });

  it("shows what it can of a malformed event and names the unreadable column", async () => {
    render(<Form data={fakeData(readyDeal(), [eventRow(1, { cosell_changes: "{not json" })])} />);
    expect((await screen.findByText(/could not be read/)).textContent).toContain("cosell_changes");
    expect(screen.getByText(/by Megan Bowen/)).toBeTruthy();
  });

  it("offers a retry when the history cannot be read", async () => {
    let fail = true;
    const data: CoSellData = {
      loadDeal: async () => readyDeal(),
      loadSyncEvents: async () => {
        if (fail) throw new Error("The network connection was lost.");
        return { events: [], more: false };
      },
    };
    render(<Form data={data} />);
    expect((await screen.findByText(/Could not load the history/)).textContent).toContain("network connection was lost");
    fail = false;
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("No sync events yet.")).toBeTruthy();
  });

  it("shows a clean empty state without data access (the PCF test harness)", () => {
    render(<Form recordId={null} />);
    expect(screen.getByText("The history appears once the record is saved.")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("one list of fixes", () => {
  const recorded = "Not sent to Partner Center: it would refuse this deal as it is.\nAdd at least one solution ID.\nGive the opportunity a topic; Partner Center uses it as the deal name.";

  it("shows the live list only, not the recorded one beside it, and says when the recorded fixes are done", async () => {
    render(<Form data={fakeData(readyDeal({ cosell_solutionids: null }))} initial={{ syncWithPartnerCenter: true, syncStatus: SYNC_STATUS.Error, syncError: recorded }} />);
    const alert = await screen.findByRole("alert");
    expect(within(alert).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["Add at least one solution ID (for example SOL-15974-MQF)."]);
    // The topic was fixed since: the recorded fix for it is nowhere on screen.
    expect(screen.queryByText(/Give the opportunity a topic/)).toBeNull();
    expect(screen.getAllByRole("list").filter((l) => /solution ID/.test(l.textContent ?? ""))).toHaveLength(1);

    await userEvent.type(screen.getByRole("textbox", { name: "Add a solution ID" }), "SOL-15974-MQF{Enter}");
    expect(await screen.findByText("Ready to share with Partner Center.")).toBeTruthy();
    expect(screen.getByText("Those fields are fixed now: save to share the deal again.")).toBeTruthy();
    expect(screen.queryByText(/Add at least one solution ID/)).toBeNull();
  });

  it("shows the recorded fixes while sync is off (no live check to show)", () => {
    const { container } = render(<Form recordId={null} initial={{ syncStatus: SYNC_STATUS.Error, syncError: recorded }} />);
    expect(within(statusOf(container)).getAllByRole("listitem")).toHaveLength(2);
  });

  it("reads the deal again when sync is turned on: a topic fixed and saved meanwhile is not reported", async () => {
    // Each read answers with the record as saved at that moment, as Dataverse does.
    let saved = readyDeal({ name: "" });
    const reads: string[] = [];
    const data: CoSellData = {
      loadDeal: async () => (reads.push("deal"), JSON.parse(JSON.stringify(saved)) as typeof saved),
      loadSyncEvents: async () => ({ events: [], more: false }),
    };
    render(<Form data={data} initial={{ solutionIds: "SOL-15974-MQF" }} />);
    await waitFor(() => expect(reads).toHaveLength(1));
    saved = readyDeal(); // the topic fixed on the form and saved while sync was off
    await userEvent.click(screen.getByRole("switch", { name: "Sync with Partner Center" }));
    expect(await screen.findByText("Ready to share with Partner Center.")).toBeTruthy();
    expect(screen.queryByText(/Give the opportunity a topic/)).toBeNull();
  });
});

describe("notes", () => {
  it("the seller writes Notes for Microsoft; an emptied field clears the column", async () => {
    const edits: PanelEdit[] = [];
    render(<Form recordId={null} edits={edits} />);
    const field = screen.getByRole("textbox", { name: "Notes for Microsoft" });
    expect(field.getAttribute("maxlength")).toBe("2000");
    await userEvent.type(field, "Needs Azure credits");
    expect(edits[edits.length - 1]).toEqual({ notesForMicrosoft: "Needs Azure credits" });
    await userEvent.clear(field);
    expect(edits[edits.length - 1]).toEqual({ notesForMicrosoft: null });
  });

  it("shows Microsoft's notes in their own read-only field, and says when there are none", async () => {
    const { rerender } = render(<Form recordId={null} initial={{ notesFromMicrosoft: "Customer wants a PoC in May." }} />);
    const field = screen.getByRole("textbox", { name: "Notes from Microsoft" });
    expect(field).toHaveProperty("readOnly", true);
    expect(field).toHaveProperty("value", "Customer wants a PoC in May.");
    rerender(<Form recordId={null} initial={{ notesFromMicrosoft: null }} key="none" />);
    expect(screen.getByRole("textbox", { name: "Notes from Microsoft" })).toHaveProperty("placeholder", "Microsoft has not written any notes.");
  });
});

describe("read-only form", () => {
  it("lets nothing be edited", () => {
    render(<Form recordId={null} disabled initial={{ solutionIds: "SOL-A" }} />);
    expect(screen.getByRole("switch", { name: "Sync with Partner Center" })).toHaveProperty("disabled", true);
    expect(screen.queryByRole("textbox", { name: "Add a solution ID" })).toBeNull();
    expect(screen.getByRole("button", { name: "Remove SOL-A" })).toHaveProperty("disabled", true);
    expect(screen.getByText(/Read-only/)).toBeTruthy();
  });
});

describe("narrow columns", () => {
  it("switches to the one-column layout below 360 px", () => {
    const { container, rerender } = render(<Form recordId={null} width={300} />);
    expect(container.querySelector("[data-narrow]")).not.toBeNull();
    rerender(<Form recordId={null} width={600} />);
    expect(container.querySelector("[data-narrow]")).toBeNull();
  });
});

describe("reading again", () => {
  /** CoSellData whose answers the test gives, one read at a time. */
  function heldData() {
    const reads: Array<{ kind: "deal" | "events"; id: string; answer(value: unknown): void }> = [];
    const held = (kind: "deal" | "events", id: string) => new Promise<never>((resolve) => reads.push({ kind, id, answer: resolve as (v: unknown) => void }));
    const data: CoSellData = { loadDeal: (id) => held("deal", id), loadSyncEvents: (id) => held("events", id) };
    /** Answers the oldest unanswered read of that kind for that record. */
    const answer = async (kind: "deal" | "events", id: string, value: unknown): Promise<void> => {
      const i = reads.findIndex((r) => r.kind === kind && r.id === id);
      if (i < 0) throw new Error(`No ${kind} read for ${id} is waiting.`);
      const read = reads.splice(i, 1)[0];
      read.answer(value);
      await act(async () => undefined);
    };
    return { data, reads, answer };
  }
  const page = (ids: number[]) => ({ events: ids.map((n) => parseSyncEventRow(eventRow(n))), more: false });
  const view = (data: CoSellData, recordId: string, values: Partial<PanelValues> = {}): React.ReactElement => (
    <CoSellPanelView
      values={{ ...EMPTY_PANEL_VALUES, syncWithPartnerCenter: true, solutionIds: "SOL-15974-MQF", ...values }}
      onChange={() => undefined}
      recordId={recordId}
      data={data}
      strings={strings}
      disabled={false}
      now={() => NOW}
    />
  );
  const shownEvents = (container: HTMLElement): string[] =>
    Array.from(container.querySelectorAll("[data-event-id]")).map((e) => e.getAttribute("data-event-id")!);

  it("reads the deal and the history again when the service writes, showing the old ones meanwhile", async () => {
    const { data, reads, answer } = heldData();
    const { container, rerender } = render(view(data, RECORD, { syncStatus: SYNC_STATUS.Pending }));
    await answer("deal", RECORD, readyDeal({ name: null }));
    await answer("events", RECORD, page([1]));
    expect(screen.getByRole("alert").textContent).toMatch(/Give the opportunity a topic/);

    rerender(view(data, RECORD, { syncStatus: SYNC_STATUS.Synced, lastSyncedOn: NOW }));
    expect(reads.map((r) => r.kind).sort()).toEqual(["deal", "events"]);
    // While both are read again, what was read before stays.
    expect(screen.getByRole("alert").textContent).toMatch(/Give the opportunity a topic/);
    expect(shownEvents(container)).toEqual(["evt-1"]);

    await answer("deal", RECORD, readyDeal());
    await answer("events", RECORD, page([0, 1]));
    expect(screen.getByText("Ready to share with Partner Center.")).toBeTruthy();
    expect(shownEvents(container)).toEqual(["evt-0", "evt-1"]);
  });

  it("shows only the record on screen when an answer for the previous one comes late", async () => {
    const other = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const { data, answer } = heldData();
    const { container, rerender } = render(view(data, RECORD));
    rerender(view(data, other));
    await answer("deal", other, readyDeal());
    await answer("events", other, page([7]));
    await answer("deal", RECORD, readyDeal({ name: null }));
    await answer("events", RECORD, page([1, 2]));
    expect(shownEvents(container)).toEqual(["evt-7"]);
    expect(screen.getByText("Ready to share with Partner Center.")).toBeTruthy();
  });

  it("updates nothing once it is closed, even when a read answers after", async () => {
    const { data, answer } = heldData();
    const errors = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const { unmount } = render(view(data, RECORD));
      unmount();
      await answer("deal", RECORD, readyDeal());
      await answer("events", RECORD, page([1]));
      // React 16 reports a state update on an unmounted component through console.error.
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });
});

describe("in Korean", () => {
  /** The panel with sync on for `deal`, in Korean; resolves with the items of its list of fixes. */
  async function fixesInKorean(deal: ReturnType<typeof readyDeal>): Promise<Array<string | null>> {
    render(
      <CoSellPanelView
        values={{ ...EMPTY_PANEL_VALUES, syncWithPartnerCenter: true }}
        onChange={() => undefined}
        recordId={RECORD}
        data={fakeData(deal)}
        strings={panelStrings(1042)}
        disabled={false}
        locale="ko-KR"
        now={() => NOW}
      />,
    );
    const alert = await screen.findByRole("alert");
    return within(alert).getAllByRole("listitem").map((li) => li.textContent);
  }

  it("lists what Partner Center would refuse in the seller's language, with the values filled in", async () => {
    expect(await fixesInKorean(readyDeal({ cosell_solutionids: null }))).toEqual(["솔루션 ID를 하나 이상 추가하세요(예: SOL-15974-MQF)."]);
    expect(screen.getByRole("switch", { name: "파트너 센터와 동기화" })).toBeTruthy();
  });

  /** The status of a deal whose last sync recorded `error` with `code`, in Korean (no record to read). */
  function statusInKorean(error: string, code: string | null): HTMLElement {
    const { container } = render(
      <CoSellPanelView
        values={{ ...EMPTY_PANEL_VALUES, syncStatus: SYNC_STATUS.Error, syncError: error, syncErrorCode: code }}
        onChange={() => undefined}
        recordId={null}
        data={null}
        strings={panelStrings(1042)}
        disabled={false}
        locale="ko-KR"
        now={() => NOW}
      />,
    );
    return statusOf(container);
  }

  it("says what went wrong in Korean from the recorded code; Partner Center's own words stay under it as written", () => {
    const throttled = statusInKorean("Partner Center answered 429: too many requests (it will be retried automatically)", "PC_THROTTLED");
    expect(throttled.textContent).toContain("파트너 센터가 사용 중입니다. 동기화가 자동으로 다시 시도됩니다.");
    expect(throttled.textContent).toContain("Partner Center answered 429");
  });

  it("replaces a fixed English first line with its Korean wording, and shows the recorded line where the code is unknown", () => {
    const invalid = statusInKorean("Not sent to Partner Center: it would refuse this deal as it is.\nAdd at least one solution ID.", "VALIDATION_FAILED");
    expect(invalid.textContent).toContain("지금 상태로는 파트너 센터가 이 거래를 거부합니다.");
    expect(invalid.textContent).not.toContain("Not sent to Partner Center");
    cleanup();
    // An older service wrote no code; a newer one may write a code this panel does not know.
    for (const code of [null, "SOMETHING_NEW"]) {
      expect(statusInKorean("Something odd happened.", code).textContent).toContain("Something odd happened.");
      cleanup();
    }
  });

  it("names a field that is too long by its Korean label, not the engine's English one", async () => {
    const items = await fixesInKorean(readyDeal({ name: "가".repeat(300) }));
    expect(items).toContain("항목의 길이가 300자입니다. 파트너 센터는 최대 250자까지 받습니다.");
    expect(items.join(" ")).not.toMatch(/topic/i);
  });
});
