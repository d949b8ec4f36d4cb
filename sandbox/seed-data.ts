/**
 * The sandbox's starting org: a few customer accounts with contacts and open opportunities, some
 * ready to share and one missing what Partner Center needs (so validation shows in the panel).
 */
import { SEEDED, type SeedData } from "../emulators/dataverse";

const id = (n: number) => `5a1b0c3d-0000-4000-8000-0000001${String(n).padStart(5, "0")}`;
const inDays = (days: number, now: Date) => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);

export function sandboxSeed(now: Date): SeedData {
  return {
    accounts: [
      { accountid: id(1), name: "Contoso Pharmaceuticals", address1_line1: "1 Microsoft Way", address1_city: "Redmond", address1_stateorprovince: "WA", address1_postalcode: "98052", address1_country: "United States", numberofemployees: 1200 },
      { accountid: id(2), name: "Northwind Traders", address1_line1: "12 Harbour St", address1_city: "Sydney", address1_postalcode: "2000", address1_country: "AU", numberofemployees: 85 },
      { accountid: id(3), name: "Tailspin Toys", address1_city: "Lyon", address1_postalcode: "69001", address1_country: "", numberofemployees: 30 },
    ],
    contacts: [
      { contactid: id(11), firstname: "Avery", lastname: "Howard", emailaddress1: "avery.howard@contoso.example", telephone1: "+1 425 555 0100", _parentcustomerid_value: id(1) },
      { contactid: id(12), firstname: "Kai", lastname: "Nakamura", emailaddress1: "kai@northwind.example", _parentcustomerid_value: id(2) },
    ],
    opportunities: [
      {
        opportunityid: id(21), name: "Contoso data platform modernisation", estimatedvalue: 250000, estimatedclosedate: inDays(45, now),
        description: "Move the analytics estate to Azure; budget approved by the CFO.",
        cosell_notesformicrosoft: "The customer asked for a Microsoft architect for the migration design.",
        _customerid_value: id(1), _parentcontactid_value: id(11), _transactioncurrencyid_value: SEEDED.currencies.USD,
        cosell_syncwithpartnercenter: false, cosell_solutionids: "SOL-15974-MQF",
      },
      {
        opportunityid: id(22), name: "Northwind supply-chain analytics", estimatedvalue: 60000, estimatedclosedate: inDays(30, now),
        description: "Power BI roll-out for 40 stores.",
        _customerid_value: id(2), _parentcontactid_value: id(12), _transactioncurrencyid_value: SEEDED.currencies.AUD,
        cosell_syncwithpartnercenter: false,
      },
      {
        opportunityid: id(23), name: "Tailspin e-commerce replatform", estimatedvalue: 40000, estimatedclosedate: inDays(60, now),
        _customerid_value: id(3), _transactioncurrencyid_value: SEEDED.currencies.EUR,
        cosell_syncwithpartnercenter: false,
      },
    ],
  };
}
