/**
 * MSAL token cache persisted to a file, encrypted with AES-256-GCM (D.9). The key comes from
 * configuration (env PARTNER_CENTER_TOKEN_CACHE_KEY): 32 bytes as 64 hex digits or base64.
 * A file that cannot be decrypted (wrong key, tampering) is left untouched and reads as empty,
 * so the next silent refresh reports "sign-in expired" instead of crashing.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import type { ICachePlugin, TokenCacheContext } from "@azure/msal-node";

export const TOKEN_CACHE_KEY_ENV = "PARTNER_CENTER_TOKEN_CACHE_KEY";
const FORMAT = "cosell-token-cache/aes-256-gcm/v1";

export class TokenCacheKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TokenCacheKeyError";
  }
}

/** Reads a 256-bit key written as 64 hex digits or base64. */
export function parseCacheKey(value: string | undefined, source = TOKEN_CACHE_KEY_ENV): Buffer {
  const v = value?.trim();
  if (!v) throw new TokenCacheKeyError(`${source} is not set: give a 256-bit key (64 hex digits or base64), e.g. from \`openssl rand -hex 32\``);
  const key = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, "hex") : /^[A-Za-z0-9+/]+={0,2}$/.test(v) ? Buffer.from(v, "base64") : undefined;
  if (!key || key.length !== 32) throw new TokenCacheKeyError(`${source} must be 32 bytes (64 hex digits or base64); got ${key?.length ?? "unreadable"} bytes`);
  return key;
}

interface Envelope {
  format: string;
  iv: string;
  tag: string;
  data: string;
}

export function encryptCache(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const envelope: Envelope = { format: FORMAT, iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), data: data.toString("base64") };
  return JSON.stringify(envelope);
}

/** Throws when the key is wrong or the file was altered (GCM authentication). */
export function decryptCache(text: string, key: Buffer): string {
  const envelope = JSON.parse(text) as Envelope;
  if (envelope.format !== FORMAT) throw new Error(`unknown token cache format "${String(envelope.format)}"`);
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(envelope.iv, "base64"));
  decipher.setAuthTag(Buffer.from(envelope.tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(envelope.data, "base64")), decipher.final()]).toString("utf8");
}

export class EncryptedFileCachePlugin implements ICachePlugin {
  /** Why the file could not be read the last time, if it could not (shown as credential health). */
  lastReadError: string | undefined;

  constructor(
    readonly filePath: string,
    private readonly key: Buffer,
  ) {}

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    let text: string;
    try {
      text = await fs.readFile(this.filePath, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        this.lastReadError = undefined;
        return;
      }
      throw e;
    }
    try {
      context.tokenCache.deserialize(decryptCache(text, this.key));
      this.lastReadError = undefined;
    } catch {
      this.lastReadError = `token cache ${this.filePath} could not be decrypted (wrong key or altered file)`;
    }
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) return;
    await fs.mkdir(path.dirname(this.filePath), { recursive: true });
    // Write then rename, so a crash never leaves half a cache behind.
    const tmp = `${this.filePath}.${process.pid}.tmp`;
    await fs.writeFile(tmp, encryptCache(context.tokenCache.serialize(), this.key), { mode: 0o600 });
    await fs.rename(tmp, this.filePath);
  }
}
