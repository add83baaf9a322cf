import type { PipelineLogger } from '../logger.js';
import { formatBytes } from './table.js';

/**
 * The local pipeline's logger: quiet while the samples run (the table tells
 * that story), then one readable line per object once `live` is set.
 * `LOG_FORMAT=json` prints the structured lines instead, as the Lambda would.
 */
export class ConsoleLogger implements PipelineLogger {
  live = false;

  constructor(private readonly json: boolean) {}

  info(message: string, attributes: Record<string, unknown>): void {
    this.print('info', message, attributes);
  }

  warn(message: string, attributes: Record<string, unknown>): void {
    this.print('warn', message, attributes);
  }

  error(message: string, attributes: Record<string, unknown>): void {
    this.print('error', message, attributes);
  }

  private print(level: string, message: string, attributes: Record<string, unknown>): void {
    if (!this.live && level !== 'error') return;
    if (this.json) {
      console.log(JSON.stringify({ level: level.toUpperCase(), message, timestamp: new Date().toISOString(), ...attributes }));
      return;
    }
    const { outcome, key, format, size, sizeOut, removed, reason, errorName, durationMs } = attributes;
    const parts = [`[${String(outcome ?? level)}]`, String(key ?? message)];
    if (format !== undefined) parts.push(String(format));
    if (typeof size === 'number') parts.push(typeof sizeOut === 'number' ? `${formatBytes(size)} → ${formatBytes(sizeOut)}` : formatBytes(size));
    if (Array.isArray(removed)) parts.push(`removed: ${removed.join(',') || 'nothing'}`);
    if (reason !== undefined) parts.push(String(reason));
    if (errorName !== undefined) parts.push(`${String(errorName)}: ${String(attributes.errorMessage)}`);
    if (durationMs !== undefined) parts.push(`${String(durationMs)} ms`);
    (level === 'error' ? console.error : console.log)(parts.join('  '));
  }
}
