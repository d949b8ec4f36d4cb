/**
 * Partner Center links. A link to a referral (the panel's, or the ribbon's Open in Partner Center)
 * shows it in the sandbox's own Partner Center view instead of leaving for the real site;
 * production keeps the URL.
 */
import { referralLink } from "../../sync/schema/referral";

const REFERRAL_LINK_PREFIX = referralLink("");
let showReferral: (id: string) => void = () => undefined;

/** The Partner Center view registers how it shows a referral; the returned function unregisters it. */
export function onShowReferral(show: (id: string) => void): () => void {
  showReferral = show;
  return () => {
    if (showReferral === show) showReferral = () => undefined;
  };
}

function referralIdOfLink(url: string): string | null {
  if (!url.startsWith(REFERRAL_LINK_PREFIX)) return null;
  return decodeURIComponent(url.slice(REFERRAL_LINK_PREFIX.length).split(/[/?#]/)[0]) || null;
}

/** Xrm.Navigation.openUrl on this page. */
export function openUrl(url: string): void {
  const id = referralIdOfLink(url);
  if (id) showReferral(id);
  else window.open(url, "_blank", "noopener,noreferrer");
}

/** Clicks on any referral link on the page (the panel renders plain anchors) go to the sandbox's view. */
export function interceptReferralLinks(): void {
  document.addEventListener("click", (event) => {
    const anchor = (event.target as Element | null)?.closest?.("a[href]") as HTMLAnchorElement | null;
    const id = anchor && referralIdOfLink(anchor.href);
    if (!id) return;
    event.preventDefault();
    showReferral(id);
  }, true);
}
