/**
 * Tables as Dataverse exports them (solution-format.md §4). New user-owned tables get every flag,
 * every system column and their six system relationships; system tables (opportunity, lead) carry
 * only our columns.
 */
import { byPhysicalName, completeAttribute, systemAttributes } from "./columns";
import { el, kid, need, type XNode, XmlError } from "./xml";

/** Table flags with the values of a real export, in its order (AutoCreateAccessTeams / IsMSTeamsIntegrationEnabled from a 2024 one). */
const TABLE_FLAGS: ReadonlyArray<[string, string]> = [
  ["IsDuplicateCheckSupported", "1"], ["IsBusinessProcessEnabled", "0"], ["IsRequiredOffline", "0"],
  ["IsInteractionCentricEnabled", "0"], ["IsCollaboration", "0"], ["AutoRouteToOwnerQueue", "0"],
  ["IsConnectionsEnabled", "0"], ["IsDocumentManagementEnabled", "0"], ["AutoCreateAccessTeams", "0"],
  ["IsOneNoteIntegrationEnabled", "0"], ["IsKnowledgeManagementEnabled", "0"], ["IsSLAEnabled", "0"],
  ["IsDocumentRecommendationsEnabled", "0"], ["IsBPFEntity", "0"], ["OwnershipTypeMask", "UserOwned"],
  ["IsAuditEnabled", "0"], ["IsRetrieveAuditEnabled", "0"], ["IsRetrieveMultipleAuditEnabled", "0"],
  ["IsActivity", "0"], ["ActivityTypeMask", "CommunicationActivity"], ["IsActivityParty", "0"],
  ["IsReplicated", "0"], ["IsReplicationUserFiltered", "0"], ["IsMailMergeEnabled", "1"],
  ["IsVisibleInMobile", "0"], ["IsVisibleInMobileClient", "0"], ["IsReadOnlyInMobileClient", "0"],
  ["IsOfflineInMobileClient", "0"], ["DaysSinceRecordLastModified", "0"], ["MobileOfflineFilters", ""],
  ["IsMapiGridEnabled", "1"], ["IsReadingPaneEnabled", "1"], ["IsQuickCreateEnabled", "0"],
  ["SyncToExternalSearchIndex", "0"], ["IntroducedVersion", "1.0.0.0"], ["IsCustomizable", "1"],
  ["IsRenameable", "1"], ["IsMappable", "1"], ["CanModifyAuditSettings", "1"], ["CanModifyMobileVisibility", "1"],
  ["CanModifyMobileClientVisibility", "1"], ["CanModifyMobileClientReadOnly", "1"], ["CanModifyMobileClientOffline", "1"],
  ["CanModifyConnectionSettings", "1"], ["CanModifyDuplicateDetectionSettings", "1"], ["CanModifyMailMergeSettings", "1"],
  ["CanModifyQueueSettings", "1"], ["CanCreateAttributes", "1"], ["CanCreateForms", "1"], ["CanCreateCharts", "1"],
  ["CanCreateViews", "1"], ["CanModifyAdditionalSettings", "1"], ["CanEnableSyncToExternalSearchIndex", "1"],
  ["EnforceStateTransitions", "0"], ["CanChangeHierarchicalRelationship", "1"], ["EntityHelpUrlEnabled", "0"],
  ["ChangeTrackingEnabled", "0"], ["CanChangeTrackingBeEnabled", "1"], ["IsEnabledForExternalChannels", "0"],
  ["IsMSTeamsIntegrationEnabled", "0"], ["IsSolutionAware", "0"],
];
export const TABLE_FLAG_NAMES = TABLE_FLAGS.map(([n]) => n);
const HEAD = ["LocalizedNames", "LocalizedCollectionNames", "Descriptions", "attributes", "EntitySetName"];

export interface TableParts {
  /** The `<Entity>` for customizations.xml (RibbonDiffXml added by the caller when it has one). */
  entity: XNode;
  /** System relationships for the root `<EntityRelationships>`. */
  relationships: XNode[];
  schemaName: string;
  /** Whether the table is new (RootComponent behavior 0) or a system table shell (behavior 2). */
  isNew: boolean;
}

/** Completes a source `Entity.xml`, with its views (`savedquery`) and charts (`visualization`). */
export function completeTable(src: XNode, where: string, views: XNode[] = [], charts: XNode[] = []): TableParts {
  const name = need(src, "Name", where);
  const info = need(need(src, "EntityInfo", where), "entity", where);
  const schemaName = info.attrs.Name;
  if (!schemaName || schemaName !== name.text) throw new XmlError(`${where}: <entity Name> "${schemaName}" must equal the <Name> text "${name.text}" (the table's SchemaName)`);
  if (schemaName === schemaName.toLowerCase()) throw new XmlError(`${where}: "${schemaName}" is lowercase; tables are written by SchemaName (e.g. Opportunity, cosell_SyncEvent)`);
  const sourceAttrs = need(info, "attributes", where).children;
  const custom = sourceAttrs.map((a) => completeAttribute(a, where));
  const isNew = info.attrs.unmodified !== "1";
  const keys = kid(info, "EntityKeys");

  // As exports write them: views in SavedQueries, then charts in Visualizations right after (no wrapper), both in the table's own <Entity>.
  const viewsAndCharts = [
    ...(views.length ? [el("SavedQueries", {}, [el("savedqueries", {}, views)])] : []),
    ...(charts.length ? [el("Visualizations", {}, charts)] : []),
  ];
  if (!isNew) {
    // A system table's shell: our columns, and our views and charts; they travel with the table's RootComponent (no line of their own).
    const entity = el("Entity", {}, [name, el("EntityInfo", {}, [
      el("entity", info.attrs, [el("attributes", {}, custom), ...(keys ? [keys] : [])]),
    ]), ...viewsAndCharts]);
    return { entity, relationships: [], schemaName, isNew };
  }

  const display = name.attrs.LocalizedName;
  const primaryNames = custom.filter((a) => kid(a, "DisplayMask")?.text.split("|").includes("PrimaryName"));
  if (!views.length) throw new XmlError(`${where}: a new table needs its views (Entities/${schemaName}/SavedQueries/*.xml)`);
  if (primaryNames.length !== 1) throw new XmlError(`${where}: a table needs exactly one column with PrimaryName in its DisplayMask (found ${primaryNames.length})`);
  const attributes = [...systemAttributes(schemaName, display), ...custom].sort(byPhysicalName);
  const flags = TABLE_FLAGS.map(([n, v]) => kid(info, n) ?? el(n, {}, v));
  const stray = info.children.find((c) => !HEAD.includes(c.name) && !TABLE_FLAG_NAMES.includes(c.name) && c.name !== "EntityKeys" && c.name !== "IconVectorName");
  if (stray) throw new XmlError(`${where}: unknown table setting <${stray.name}>`);
  const head = HEAD.map((n) => (n === "attributes" ? el("attributes", {}, attributes) : need(info, n, where)));
  const entity = el("Entity", {}, [
    name,
    el("EntityInfo", {}, [el("entity", { Name: schemaName }, [...head, ...flags, ...(keys ? [keys] : [])])]),
    kid(src, "FormXml") ?? el("FormXml", {}, []),
    ...viewsAndCharts,
  ]);
  return { entity, relationships: systemRelationships(schemaName, attributes), schemaName, isNew };
}

/** The six relationships a user-owned table exports with (the on-behalf-by lookups have none in exports). */
function systemRelationships(schema: string, attributes: XNode[]): XNode[] {
  const lower = schema.toLowerCase();
  const describe = (phys: string) =>
    kid(attributes.find((a) => a.attrs.PhysicalName === phys)!, "Descriptions")!.children[0].attrs.description;
  const rows: Array<[string, string, string]> = [
    [`business_unit_${lower}`, "BusinessUnit", "OwningBusinessUnit"],
    [`lk_${lower}_createdby`, "SystemUser", "CreatedBy"],
    [`lk_${lower}_modifiedby`, "SystemUser", "ModifiedBy"],
    [`owner_${lower}`, "Owner", "OwnerId"],
    [`team_${lower}`, "Team", "OwningTeam"],
    [`user_${lower}`, "SystemUser", "OwningUser"],
  ];
  return rows.map(([relName, referenced, attr]) => relationship(relName, schema, referenced, attr, describe(attr), {}));
}

/** One N:1 relationship in export shape; `extra` adds the custom-relationship elements (cascade choice, roles). */
export function relationship(
  name: string, referencing: string, referenced: string, attribute: string, description: string,
  extra: { cascadeDelete?: string; afterCascades?: XNode[]; roles?: XNode },
): XNode {
  const cascade = (n: string, v = "NoCascade") => el(n, {}, v);
  return el("EntityRelationship", { Name: name }, [
    el("EntityRelationshipType", {}, "OneToMany"), el("IsCustomizable", {}, "1"), el("IntroducedVersion", {}, "1.0.0.0"),
    el("IsHierarchical", {}, "0"), el("ReferencingEntityName", {}, referencing), el("ReferencedEntityName", {}, referenced),
    cascade("CascadeAssign"), cascade("CascadeDelete", extra.cascadeDelete), cascade("CascadeArchive"), cascade("CascadeReparent"),
    cascade("CascadeShare"), cascade("CascadeUnshare"), ...(extra.afterCascades ?? []),
    el("ReferencingAttributeName", {}, attribute),
    el("RelationshipDescription", {}, [el("Descriptions", {}, [el("Description", { description, languagecode: 1033 })])]),
    ...(extra.roles ? [extra.roles] : []),
  ]);
}
