/**
 * The sandbox page: a Dynamics 365 Opportunity form (main fields, the real ribbon web resource,
 * the real Co-sell panel bundle), a Partner Center view acting as the Microsoft seller, and a
 * sync-health view. Everything talks to the emulators and the service over HTTP, and polls once a
 * second so a change on one side shows on the other without reloading. The page's own views use
 * the platform's React and Fluent (platform.js), the copies the panel gets.
 */
import * as React from "react";
import * as ReactDOM from "react-dom";
import { OPPORTUNITY_COLUMNS } from "../../sync/schema/dynamics";
import { createApi, type Api, type SandboxConfig } from "./web-api";
import { loadControl } from "./pcf-host";
import { createXrm } from "./xrm";
import { errorText, useInterval, type Row } from "./shared";
import { interceptReferralLinks } from "./links";
import { Dialogs, dialogUi } from "./dialogs";
import { LanguageSwitch, USER_LANGUAGE } from "./language";
import { OpportunityForm, type LoadedControl, type Ribbon } from "./opportunity-form";
import { OpportunityList } from "./opportunity-list";
import { PartnerCenterView } from "./partner-center-view";
import { HealthView } from "./health-view";

const OPPORTUNITY_QUERY =
  "opportunities?$select=opportunityid,name,estimatedvalue,estimatedclosedate,description,statecode,statuscode,_customerid_value,_parentcontactid_value,_transactioncurrencyid_value," +
  Object.values(OPPORTUNITY_COLUMNS).join(",") +
  "&$orderby=createdon desc";

function App({ api, ribbon, control }: { api: Api; ribbon: Ribbon; control: LoadedControl }) {
  const [opportunities, setOpportunities] = React.useState<Row[]>([]);
  const [lookups, setLookups] = React.useState<{ accounts: Row[]; contacts: Row[]; currencies: Row[] }>({ accounts: [], contacts: [], currencies: [] });
  const [recordId, setRecordId] = React.useState<string | null>(null);
  const [creating, setCreating] = React.useState(false);

  const load = React.useCallback(async () => {
    const [o, a, c, cur] = await Promise.all([
      api.dvGet<{ value: Row[] }>(OPPORTUNITY_QUERY),
      api.dvGet<{ value: Row[] }>("accounts?$select=accountid,name&$orderby=name asc"),
      api.dvGet<{ value: Row[] }>("contacts?$select=contactid,firstname,lastname&$orderby=lastname asc"),
      api.dvGet<{ value: Row[] }>("transactioncurrencies?$select=transactioncurrencyid,isocurrencycode"),
    ]);
    setOpportunities(o.value);
    setLookups({ accounts: a.value, contacts: c.value, currencies: cur.value });
    setRecordId((id) => id ?? (creating ? null : (o.value[0]?.opportunityid as string | undefined) ?? null));
  }, [api, creating]);
  React.useEffect(() => void load().catch(() => undefined), [load]);
  useInterval(() => void load().catch(() => undefined), 1000);
  const open = (id: string) => { setCreating(false); setRecordId(id); };

  return (
    <>
      <header>
        <h1>Co-sell Connector sandbox</h1><span className="muted">Dynamics 365 ⇄ companion service ⇄ Partner Center, all on this machine</span>
        <LanguageSwitch />
      </header>
      <main>
        <OpportunityList opportunities={opportunities} selected={recordId} onOpen={open} onNew={() => { setCreating(true); setRecordId(null); }} />
        <OpportunityForm api={api} ribbon={ribbon} control={control} recordId={recordId} {...lookups}
          onSaved={(id) => { open(id); void load(); }} />
        <div className="side">
          <PartnerCenterView api={api} />
          <HealthView api={api} onOpen={open} />
        </div>
      </main>
      <Dialogs />
    </>
  );
}

async function boot() {
  interceptReferralLinks();
  const config = (await (await fetch("/config.json")).json()) as SandboxConfig;
  const api = createApi(config);
  (window as unknown as { Xrm: unknown }).Xrm = createXrm(api, dialogUi, USER_LANGUAGE);
  await new Promise<void>((resolve, reject) => {
    const s = document.createElement("script");
    s.src = "/webresources/cosell_/ribbon.js";
    s.onload = () => resolve();
    s.onerror = () => reject(new Error("ribbon.js is not built: run npm run build"));
    document.head.appendChild(s);
  });
  const ribbon = (window as unknown as { CoSell: { Ribbon: Ribbon } }).CoSell.Ribbon;
  const control = await loadControl("/controls/CoSellPanel", USER_LANGUAGE).catch((e) => {
    console.error(e);
    return null;
  });
  ReactDOM.render(<App api={api} ribbon={ribbon} control={control as LoadedControl} />, document.getElementById("root"));
}

void boot().catch((e) => {
  document.getElementById("root")!.textContent = `The sandbox page could not start: ${errorText(e)}`;
});
