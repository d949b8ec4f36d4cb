/**
 * The sync error a seller reads: the panel shows the first line as what happened and each further
 * line as one fix, under its own heading — so the engine writes plain sentences, one per line.
 */
import { problemsText, validateForPartnerCenter } from "../../sync/engine";

test("one line saying nothing was sent, then one plain sentence per fix", () => {
  const problems = validateForPartnerCenter(
    { opportunity: { opportunityid: "o", name: "Deal", estimatedvalue: 10, estimatedclosedate: "2030-01-01" }, account: { accountid: "a", name: "Tailspin" }, contact: null, currency: { isocurrencycode: "EUR" } },
    new Date("2026-01-01T00:00:00Z"),
  );
  const lines = problemsText(problems).split("\n");
  expect(lines[0]).toBe("Not sent to Partner Center: it would refuse this deal as it is.");
  expect(lines.slice(1)).toEqual(problems.map((p) => p.message));
  expect(lines.slice(1)).toEqual(expect.arrayContaining([expect.stringMatching(/country/i), expect.stringMatching(/solution ID/i)]));
  for (const line of lines) expect(line).not.toMatch(/^[•\-*]|\(opportunity\.|\(account\./);
});
