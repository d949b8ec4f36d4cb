/** The Referrals API client seen through the pipeline's PartnerCenterPort. */
import { PartnerCenterError } from "../../sync/partner-center/errors";
import { odataString, updatedSinceQuery, type ReferralsClient } from "../../sync/partner-center/referrals-client";
import type { PartnerCenterPort } from "./index";

export function partnerCenterPort(client: ReferralsClient): PartnerCenterPort {
  return {
    async get(id) {
      try {
        return await client.get(id);
      } catch (e) {
        if (e instanceof PartnerCenterError && e.kind === "notFound") return null;
        throw e;
      }
    },
    async findByExternalReferenceId(opportunityId) {
      // Opportunity ids are GUIDs; Dataverse may spell them in either case.
      const filter = `externalReferenceId eq ${odataString(opportunityId.toLowerCase())}`;
      const page = await client.list({ filter, top: 1 });
      return page.value[0] ?? null;
    },
    create: (referral) => client.create(referral),
    patch: (id, ops, eTag) => client.patch(id, ops, eTag),
    put: (referral, eTag) => client.put(referral, eTag),
    listUpdatedSince(since) {
      return since ? client.listAll(updatedSinceQuery(since)) : client.listAll({ orderBy: "updatedDateTime asc" });
    },
  };
}
