/**
 * Structured JSON logs (pino). Each sync logs the correlation ids of both systems: Dataverse's
 * CorrelationId / OperationId and the referral and opportunity ids.
 */
import pino, { type Logger } from "pino";

export type { Logger };

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const base = { level: options.level ?? process.env.LOG_LEVEL ?? "info", base: { service: "cosell-api" } };
  return options.destination ? pino(base, options.destination) : pino(base);
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
