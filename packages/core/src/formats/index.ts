import type { ImageFormat } from '../types.js';
import { gif } from './gif/index.js';
import type { FormatHandler } from './handler.js';
import { avif, heic } from './heif/index.js';
import { jpeg } from './jpeg/index.js';
import { png } from './png/index.js';
import { tiff } from './tiff/index.js';
import { webp } from './webp/index.js';

/** Every format the core can sanitize, listed explicitly. */
export const HANDLERS: ReadonlyMap<ImageFormat, FormatHandler> = /* @__PURE__ */ new Map<ImageFormat, FormatHandler>([
  ['jpeg', jpeg],
  ['png', png],
  ['webp', webp],
  ['gif', gif],
  ['heic', heic],
  ['avif', avif],
  ['tiff', tiff],
]);
