/**
 * Webhook signature verification (D.8, §3.3): the three headers, a certificate fetched only from an
 * allow-listed host and cached, a chain to a configured trust root, O=Microsoft Corporation, then
 * RSA-SHA256 over the raw body bytes. Any failure is a reason string; the caller answers 401.
 */
import { X509Certificate, verify as verifySignature } from "node:crypto";
import {
  DEFAULT_CERTIFICATE_HOSTS, REQUIRED_ORGANIZATION, SIGNATURE_ALGORITHM, SIGNATURE_HEADERS, SIGNATURE_SCHEME,
} from "../contracts/partner-center-webhooks";
import { parsePartnerCenterEvent, type PartnerCenterEvent } from "./events";

export { DEFAULT_CERTIFICATE_HOSTS };
const MAX_CERTIFICATE_BYTES = 64 * 1024;
const MAX_CHAIN_DEPTH = 5;

export interface VerifyOptions {
  /** PEM text of the trusted roots (the Microsoft roots in production, the sandbox CA in sandbox mode). */
  trustRootsPem: string | string[];
  /** Hosts the certificate may be fetched from (exact, case-insensitive). */
  allowedCertificateHosts?: string[];
  /** Sandbox only: also allow http:// certificate URLs on 127.0.0.1 / localhost. */
  allowLoopbackHttp?: boolean;
  fetch?: typeof fetch;
  now?: () => Date;
  /** How long a downloaded certificate is reused. */
  certificateCacheMs?: number;
  certificateFetchTimeoutMs?: number;
}

export type VerifyResult = { ok: true; event: PartnerCenterEvent } | { ok: false; reason: string };

interface CachedCertificates {
  certificates: X509Certificate[];
  fetchedAt: number;
}

/** One cache per options object: the service builds its options once and reuses them. */
const caches = new WeakMap<VerifyOptions, Map<string, CachedCertificates>>();

function header(headers: Headers | Record<string, string>, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

const SCHEME = new RegExp(`^${SIGNATURE_SCHEME}\\s+(\\S+)\\s*$`, "i");

/**
 * The base64 signature from `Authorization: Signature <b64>`, or from `x-ms-signature`, whose value
 * Microsoft's sample receiver reads as `Signature <b64>` too; a bare `<b64>` there is accepted as well.
 */
function readSignature(headers: Headers | Record<string, string>): Buffer | string {
  const auth = header(headers, SIGNATURE_HEADERS.authorization);
  const msSignature = header(headers, SIGNATURE_HEADERS.msSignature)?.trim();
  let b64: string | undefined;
  if (auth !== undefined && (SCHEME.test(auth) || !msSignature)) {
    const m = SCHEME.exec(auth);
    if (!m) return `Authorization header is not \`${SIGNATURE_SCHEME} <base64>\``;
    b64 = m[1];
  } else if (msSignature) {
    // An Authorization header of another scheme (a proxy's Bearer token) does not hide x-ms-signature.
    b64 = SCHEME.exec(msSignature)?.[1] ?? msSignature;
  }
  if (!b64) return `missing signature (${SIGNATURE_HEADERS.authorization}: ${SIGNATURE_SCHEME} … or ${SIGNATURE_HEADERS.msSignature})`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return "signature is not base64";
  return Buffer.from(b64, "base64");
}

function checkCertificateUrl(value: string, options: VerifyOptions): URL | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `X-MS-Certificate-Url "${value}" is not a URL`;
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback && options.allowLoopbackHttp)) {
    return `certificate URL must be https (${value})`;
  }
  const allowed = (options.allowedCertificateHosts ?? DEFAULT_CERTIFICATE_HOSTS).map((h) => h.toLowerCase());
  if (!allowed.includes(url.host.toLowerCase()) && !allowed.includes(url.hostname.toLowerCase())) {
    return `certificate host ${url.host} is not allow-listed`;
  }
  if (url.username || url.password) return "certificate URL must not carry credentials";
  return url;
}

/** A `.cer` is DER; accept PEM too (possibly leaf followed by intermediates). */
function parseCertificates(bytes: Buffer): X509Certificate[] {
  const text = bytes.toString("latin1");
  if (text.includes("-----BEGIN CERTIFICATE-----")) {
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    return blocks.map((b) => new X509Certificate(b));
  }
  return [new X509Certificate(bytes)];
}

async function loadCertificates(url: URL, options: VerifyOptions): Promise<X509Certificate[] | string> {
  let cache = caches.get(options);
  if (!cache) caches.set(options, (cache = new Map()));
  const nowMs = (options.now?.() ?? new Date()).getTime();
  const hit = cache.get(url.href);
  if (hit && nowMs - hit.fetchedAt < (options.certificateCacheMs ?? 24 * 3600_000)) return hit.certificates;

  const fetchImpl = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await fetchImpl(url.href, {
      redirect: "error", // a redirect could leave the allow-listed host
      signal: AbortSignal.timeout(options.certificateFetchTimeoutMs ?? 10_000),
    });
  } catch (e) {
    return `certificate download failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (!res.ok) return `certificate download answered HTTP ${res.status}`;
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length === 0 || bytes.length > MAX_CERTIFICATE_BYTES) return `certificate download has an implausible size (${bytes.length} bytes)`;
  let certificates: X509Certificate[];
  try {
    certificates = parseCertificates(bytes);
  } catch (e) {
    return `certificate is not X.509: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (certificates.length === 0) return "certificate download holds no certificate";
  cache.set(url.href, { certificates, fetchedAt: nowMs });
  return certificates;
}

/** Parsed once per options object (as the certificate cache is): parsing is most of a webhook's verification time otherwise. */
const parsedRoots = new WeakMap<VerifyOptions, X509Certificate[]>();

function trustRootsOf(options: VerifyOptions): X509Certificate[] {
  let roots = parsedRoots.get(options);
  if (!roots) {
    const pem = options.trustRootsPem;
    const text = Array.isArray(pem) ? pem.join("\n") : pem;
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    roots = blocks.map((b) => new X509Certificate(b));
    parsedRoots.set(options, roots);
  }
  return roots;
}

function withinValidity(cert: X509Certificate, now: Date): boolean {
  return now >= new Date(cert.validFrom) && now <= new Date(cert.validTo);
}

/**
 * Whether `parent` signed `child`: a fact of the two certificates, so it is worked out once per
 * pair (the certificates are cached objects); validity periods are still checked on every request.
 */
const signedBy = new WeakMap<X509Certificate, WeakMap<X509Certificate, boolean>>();

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  let known = signedBy.get(child);
  if (!known) signedBy.set(child, (known = new WeakMap()));
  let answer = known.get(parent);
  if (answer === undefined) known.set(parent, (answer = child.checkIssued(parent) && child.verify(parent.publicKey)));
  return answer;
}

/** Walks leaf → (downloaded intermediates) → a trust root; every link signed and in date. */
function checkChain(chain: X509Certificate[], roots: X509Certificate[], now: Date): string | undefined {
  let current = chain[0];
  const intermediates = chain.slice(1);
  for (let depth = 0; depth <= MAX_CHAIN_DEPTH; depth++) {
    if (!withinValidity(current, now)) return `certificate ${current.subject.replace(/\n/g, ", ")} is outside its validity period`;
    if (roots.some((root) => root.fingerprint256 === current.fingerprint256)) return undefined;
    const root = roots.find((r) => issuedBy(current, r));
    if (root) return withinValidity(root, now) ? undefined : "trust root is outside its validity period";
    const next = intermediates.find((c) => c !== current && issuedBy(current, c) && c.ca);
    if (!next) return "certificate does not chain to a trusted root";
    current = next;
  }
  return "certificate chain is too long";
}

/** Organisation values of a distinguished name as Node prints it (one `KEY=value` per line). */
function organizations(dn: string): string[] {
  return dn.split("\n").filter((l) => l.startsWith("O=")).map((l) => l.slice(2).trim());
}

export async function verifyPartnerCenterWebhook(
  headers: Headers | Record<string, string>,
  rawBody: Uint8Array | string,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const fail = (reason: string): VerifyResult => ({ ok: false, reason });

  const signature = readSignature(headers);
  if (typeof signature === "string") return fail(signature);
  const certUrlHeader = header(headers, SIGNATURE_HEADERS.certificateUrl);
  if (!certUrlHeader) return fail(`missing ${SIGNATURE_HEADERS.certificateUrl} header`);
  const algorithm = header(headers, SIGNATURE_HEADERS.algorithm);
  if (!algorithm) return fail(`missing ${SIGNATURE_HEADERS.algorithm} header`);
  if (algorithm.trim().toLowerCase() !== SIGNATURE_ALGORITHM) return fail(`unsupported signature algorithm "${algorithm}" (want ${SIGNATURE_ALGORITHM})`);

  const certUrl = checkCertificateUrl(certUrlHeader, options);
  if (typeof certUrl === "string") return fail(certUrl);

  let roots: X509Certificate[];
  try {
    roots = trustRootsOf(options);
  } catch (e) {
    return fail(`configured trust root is not a PEM certificate: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (roots.length === 0) return fail("no trust root configured");

  const chain = await loadCertificates(certUrl, options);
  if (typeof chain === "string") return fail(chain);
  const now = options.now?.() ?? new Date();
  const chainProblem = checkChain(chain, roots, now);
  if (chainProblem) return fail(chainProblem);

  const leaf = chain[0];
  const orgs = [...organizations(leaf.subject), ...organizations(leaf.issuer)];
  if (!orgs.includes(REQUIRED_ORGANIZATION)) return fail(`certificate organisation is not "${REQUIRED_ORGANIZATION}" (found ${orgs.join(", ") || "none"})`);
  if (leaf.publicKey.asymmetricKeyType !== "rsa") return fail("certificate key is not RSA");

  const bytes = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  if (!verifySignature("sha256", bytes, leaf.publicKey, signature)) return fail("signature does not match the body");

  const parsed = parsePartnerCenterEvent(bytes.toString("utf8"));
  if (!parsed.ok) return fail(parsed.reason);
  return { ok: true, event: parsed.value };
}
