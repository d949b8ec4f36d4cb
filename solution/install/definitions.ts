/**
 * What the install command sets up, read from the same source the packer packs: the endpoint in
 * PluginAssemblies/ServiceEndpoints.xml, the packed steps, the Custom API steps and the form section.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readManifest, type ControlManifest } from "../lib/control";
import { formSection } from "../lib/assemble";
import { bareGuid, filteringAttributes, PLATFORM_MESSAGES } from "../lib/steps";
import { kid, kids, need, parseXml, textOf, toXml, type XNode } from "../lib/xml";

export interface StepDefinition {
  id: string;
  name: string;
  description: string;
  message: string;
  /** `opportunity` for the Create/Update steps (their message filter). */
  primaryEntity?: string;
  stage: number;
  mode: number;
  rank: number;
  supporteddeployment: number;
  asyncautodelete: boolean;
  /** Comma list, Update only. */
  filteringattributes?: string;
  /** The step's images (SdkMessageProcessingStepImages): what Dataverse sends of the row with each call. */
  images: StepImageDefinition[];
}
export interface StepImageDefinition {
  id: string;
  name: string;
  entityalias: string;
  /** 0 pre-image, 1 post-image, 2 both. */
  imagetype: number;
  messagepropertyname: string;
  /** Comma list of the columns the image carries. */
  attributes: string;
}
export interface EndpointDefinition { id: string; name: string; description: string; contract: number; messageformat: number; connectionmode: number; userclaim: number }
export interface InstallDefinitions {
  endpoint: EndpointDefinition;
  steps: StepDefinition[];
  /** The form section and its controlDescription, serialised. */
  section: { name: string; xml: string; controlDescriptionXml: string };
}

function stepOf(x: XNode, where: string, filtering: string[]): StepDefinition {
  const messageId = textOf(x, "SdkMessageId");
  const message = textOf(x, "SdkMessageName") ?? PLATFORM_MESSAGES[bareGuid(messageId ?? "")];
  if (!message) throw new Error(`${where}: step ${x.attrs.Name} names no known message`);
  const filteringPresent = !!kid(x, "FilteringAttributes");
  return {
    id: bareGuid(x.attrs.SdkMessageProcessingStepId),
    name: x.attrs.Name,
    description: textOf(x, "Description") ?? "",
    message,
    primaryEntity: textOf(x, "PrimaryEntity"),
    stage: Number(need(x, "Stage", where).text),
    mode: Number(need(x, "Mode", where).text),
    rank: Number(textOf(x, "Rank") ?? 1),
    supporteddeployment: Number(textOf(x, "SupportedDeployment") ?? 0),
    asyncautodelete: textOf(x, "AsyncAutoDelete") === "1",
    filteringattributes: filteringPresent ? filtering.join(",") : undefined,
    images: (kid(x, "SdkMessageProcessingStepImages")?.children ?? []).filter((c) => c.name === "SdkMessageProcessingStepImage").map((i) => ({
      id: bareGuid(need(i, "SdkMessageProcessingStepImageId", where).text),
      name: i.attrs.Name ?? need(i, "EntityAlias", where).text,
      entityalias: need(i, "EntityAlias", where).text,
      imagetype: Number(need(i, "ImageType", where).text),
      messagepropertyname: need(i, "MessagePropertyName", where).text,
      attributes: need(i, "Attributes", where).text,
    })),
  };
}

/** Reads everything from the project root; `manifest` is the built control's (or the source one, for the parameters only). */
export function loadDefinitions(root: string, manifest?: ControlManifest): InstallDefinitions {
  const src = join(root, "solution/src");
  const read = (rel: string) => parseXml(readFileSync(join(root, rel), "utf8"), rel);
  const e = kid(read("solution/src/PluginAssemblies/ServiceEndpoints.xml"), "ServiceEndpoint")!;
  const endpoint: EndpointDefinition = {
    id: bareGuid(e.attrs.ServiceEndpointId), name: e.attrs.Name, description: textOf(e, "Description") ?? "",
    contract: Number(textOf(e, "Contract")), messageformat: Number(textOf(e, "MessageFormat")),
    connectionmode: Number(textOf(e, "ConnectionMode")), userclaim: Number(textOf(e, "UserClaim")),
  };
  const filtering = filteringAttributes(root);
  const packed = readdirSync(join(src, "SdkMessageProcessingSteps")).map((f) => stepOf(read(`solution/src/SdkMessageProcessingSteps/${f}`), f, filtering));
  const customApi = kids(read("solution/install/custom-api-steps.xml"), "SdkMessageProcessingStep").map((s) => stepOf(s, "custom-api-steps.xml", filtering));
  const m = manifest ?? readManifest(read("controls/CoSellPanel/ControlManifest.Input.xml"), "ControlManifest.Input.xml", "cosell");
  const { section, description } = formSection(root, m);
  return { endpoint, steps: [...packed, ...customApi], section: { name: section.attrs.name, xml: toXml(section), controlDescriptionXml: toXml(description) } };
}
