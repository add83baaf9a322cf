/**
 * Independent judges, one module per concern: judges/metadata (exifr),
 * judges/pixels (decoders), judges/leaks (byte searches), judges/outcome
 * (refusals, sweeps, sanitizeOrCode) and the plain readers in readers/.
 * This file only re-exports them, for tests written before the split.
 */
export * from './judges/leaks.js';
export * from './judges/metadata.js';
export * from './judges/outcome.js';
export * from './judges/pixels.js';
export * from './readers/heif.js';
export * from './readers/riff.js';
export * from './readers/tiff.js';
