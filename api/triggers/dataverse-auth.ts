/**
 * Authentication of Dataverse's webhook calls (dataverse.md §3.2): the service endpoint sends the
 * key either as an HTTP header (authtype 5, `x-cosell-key`) or as a webhook key (authtype 4,
 * `?code=`). Compared in constant time so the key cannot be guessed byte by byte.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export const DATAVERSE_KEY_HEADER = "x-cosell-key";
export const DATAVERSE_KEY_QUERY = "code";

/** Equal-length digests make the comparison constant-time whatever the candidate's length. */
export function safeEqual(candidate: string, secret: string): boolean {
  const a = createHash("sha256").update(candidate, "utf8").digest();
  const b = createHash("sha256").update(secret, "utf8").digest();
  return timingSafeEqual(a, b) && candidate.length === secret.length;
}

/** True when the request carries the webhook key in the header or the `code` query parameter. */
export function isDataverseCallAuthorized(request: Request, key: string): boolean {
  if (!key) return false;
  const header = request.headers.get(DATAVERSE_KEY_HEADER);
  if (header !== null && safeEqual(header, key)) return true;
  const code = new URL(request.url).searchParams.get(DATAVERSE_KEY_QUERY);
  return code !== null && safeEqual(code, key);
}
