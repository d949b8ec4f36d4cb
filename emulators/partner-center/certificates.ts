/**
 * The sandbox's signing identity: a test CA generated at startup (the trust root the sandbox's
 * verifier is configured with) and a leaf with O=Microsoft Corporation that signs webhook bodies.
 * Node cannot create certificates, so node-forge builds them; keys come from node:crypto (fast).
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import forge from "node-forge";

export interface SigningIdentity {
  caPem: string;
  leafPem: string;
  /** DER bytes, as a `.cer` download is served. */
  leafDer: Uint8Array;
  /** RSA-SHA256 over the exact bytes, base64. */
  sign(body: Uint8Array | string): string;
}

function rsaKeys(): { forgePublic: forge.pki.PublicKey; forgePrivate: forge.pki.rsa.PrivateKey; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    forgePublic: forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString()),
    forgePrivate: forge.pki.privateKeyFromPem(privateKey.export({ type: "pkcs1", format: "pem" }).toString()) as forge.pki.rsa.PrivateKey,
    privateKey,
  };
}

function serial(n: number): string {
  // DER integers must not start with a 0x00 byte unless the next is ≥ 0x80: keep the first nibble non-zero.
  return `1${n.toString(16).padStart(15, "0")}`;
}

export interface IdentityOptions {
  now: Date;
  /** Subject organisation of the leaf; tests make a wrong one to see it rejected. */
  leafOrganization?: string;
  caName?: string;
}

export function createSigningIdentity(options: IdentityOptions): SigningIdentity {
  const notBefore = new Date(options.now.getTime() - 24 * 3600_000);
  const notAfter = new Date(options.now.getTime() + 5 * 365 * 24 * 3600_000);

  const certificateFor = (keys: ReturnType<typeof rsaKeys>, n: number) => {
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.forgePublic;
    cert.serialNumber = serial(n);
    cert.validity.notBefore = notBefore;
    cert.validity.notAfter = notAfter;
    return cert;
  };

  const ca = rsaKeys();
  const caCert = certificateFor(ca, 1);
  const caSubject = [
    { name: "commonName", value: options.caName ?? "Co-sell Sandbox Test Root CA" },
    { name: "organizationName", value: "Co-sell Sandbox" },
  ];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  caCert.sign(ca.forgePrivate, forge.md.sha256.create());

  const leaf = rsaKeys();
  const leafCert = certificateFor(leaf, 2);
  leafCert.setSubject([
    { name: "countryName", value: "US" },
    { name: "organizationName", value: options.leafOrganization ?? "Microsoft Corporation" },
    { name: "commonName", value: "pcnotifications-dispatch.microsoft.com" },
  ]);
  leafCert.setIssuer(caSubject);
  leafCert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  leafCert.sign(ca.forgePrivate, forge.md.sha256.create());

  const leafDer = forge.asn1.toDer(forge.pki.certificateToAsn1(leafCert)).getBytes();
  const signingKey = createPrivateKey(leaf.privateKey.export({ type: "pkcs8", format: "pem" }));
  return {
    caPem: forge.pki.certificateToPem(caCert),
    leafPem: forge.pki.certificateToPem(leafCert),
    leafDer: Uint8Array.from(Buffer.from(leafDer, "binary")),
    sign: (body) => sign("sha256", typeof body === "string" ? Buffer.from(body, "utf8") : body, signingKey).toString("base64"),
  };
}
