/** @jest-environment jsdom */
/**
 * The control as the form hosts it: bound properties in, getOutputs out (the form then writes each
 * output to the column the property is bound to).
 */
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { setIconOptions } from "@fluentui/react/lib/Styling";
import { CoSellPanel } from "../../controls/CoSellPanel/index";
import { panelValuesOf } from "../../controls/CoSellPanel/pcfContext";
import type { IInputs } from "../../controls/CoSellPanel/generated/ManifestTypes";
import { REFERRAL_VISIBILITY } from "../../sync/schema/dynamics";
import { readResx } from "./resx";

setIconOptions({ disableWarnings: true });

const english = readResx(1033);
const property = (raw: unknown) => ({ raw, security: { editable: true, readable: true, secured: false } });

function context(values: Record<string, unknown>, updatedProperties: string[] = []) {
  const parameters: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(values)) parameters[name] = property(raw);
  return {
    parameters,
    updatedProperties,
    // No contextInfo: like the PCF test harness, nothing is read through the Web API.
    mode: { isControlDisabled: false, allocatedWidth: 480, trackContainerResize: () => undefined },
    userSettings: { languageId: 1033 },
    resources: { getString: (key: string) => english.get(key) ?? key },
    webAPI: {},
  } as unknown as ComponentFramework.Context<IInputs>;
}

const BOUND = {
  syncWithPartnerCenter: false, howCanMicrosoftHelp: null, solutionIds: null, referralId: "ref-1", referralLink: null,
  syncStatus: null, syncError: null, lastSyncedOn: null, referralVisibility: null, microsoftCrmId: "7-3FQ9X2KD",
};

describe("the Co-sell panel control", () => {
  it("hands the form 731500021 for referralVisibility when the seller chooses Private, and never the CRM ID", async () => {
    const control = new CoSellPanel();
    const notify = jest.fn();
    control.init(context(BOUND), notify);
    const { rerender } = render(control.updateView(context(BOUND)));
    expect(screen.getByText("Microsoft CRM ID 7-3FQ9X2KD")).toBeTruthy();

    await userEvent.click(screen.getByRole("combobox", { name: /^Referral visibility/ }));
    await userEvent.click(screen.getByRole("option", { name: "Private (not shared with Microsoft sellers)" }));
    expect(notify).toHaveBeenCalledTimes(1);
    expect(control.getOutputs()).toEqual({ referralVisibility: REFERRAL_VISIBILITY.Private });

    // The form takes the value back: the bound property now carries it.
    rerender(control.updateView(context({ ...BOUND, referralVisibility: 731500021 }, ["referralVisibility"])));
    expect(control.getOutputs()).toEqual({});
    expect(screen.getByText("Microsoft sellers will not see this referral; co-sell help needs it visible.")).toBeTruthy();
  });

  it("reads a property the form has no value for as null, and one the form does not pass as unset", () => {
    const values = panelValuesOf(context({ ...BOUND, microsoftCrmId: undefined, referralVisibility: 731500020 }).parameters);
    expect(values.microsoftCrmId).toBeNull();
    expect(values.referralVisibility).toBe(731500020);
    const older = { ...BOUND } as Record<string, unknown>;
    delete older.referralVisibility;
    delete older.microsoftCrmId;
    const fromOlderForm = panelValuesOf(context(older).parameters);
    expect(fromOlderForm.referralVisibility ?? null).toBeNull();
    expect(fromOlderForm.referralId).toBe("ref-1");
    expect(fromOlderForm.syncWithPartnerCenter).toBe(false);
  });
});
