/** A minimal HEIF writer (ISO/IEC 23008-12), test-side: hand-built HEIC/AVIF files with planted secrets. */
import { ascii, concat, tiffWith } from './build.js';

export const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
export const u32 = (v: number) => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
export type Part = Uint8Array | number[] | string;
export const bytesOf = (part: Part) => (typeof part === 'string' ? ascii(part) : part);
export const box = (type: string, ...parts: Part[]) => {
  const body = concat(...parts.map(bytesOf));
  return concat(u32(8 + body.length), ascii(type), body);
};
export const fullBox = (type: string, version: number, flags: number, ...parts: Part[]) => box(type, [version, 0, 0, flags], ...parts);

export interface ItemSpec {
  id: number;
  type: string;
  data?: Uint8Array | string;
  name?: string;
  contentType?: string;
  /** 1: the data goes in `idat` instead of `mdat`. */
  method?: number;
  /** Located by iloc but not declared in iinf. */
  undeclared?: boolean;
}

export interface HeifSpec {
  brand?: string;
  primary?: number;
  items: ItemSpec[];
  references?: [type: string, from: number, to: number[]][];
  properties?: Uint8Array[];
  /** Per item: 1-based property indices, 0x80 set for essential. */
  associations?: [id: number, indices: number[]][];
  handlerName?: string;
  /** Bytes in `mdat` after every item's data, used by no item. */
  unreferenced?: string;
  /** Top-level boxes after `mdat`. */
  after?: Uint8Array[];
  trailer?: string;
}

export const HEVC_BYTES = '\x00\x00\x00\x18\x26\x01HEVC-PIXELS-0123456789';
export const HVCC = box('hvcC', [1, 1, 0x60, 0, 0, 0], 'HVCC-CONFIG-BYTES');
export const AV1C = box('av1C', [0x81, 0x00, 0x0c, 0x00]);
export const ispe = (width: number, height: number) => fullBox('ispe', 0, 0, u32(width), u32(height));
export const auxC = (urn: string) => fullBox('auxC', 0, 0, `${urn}\0`);
export const ALPHA_URN = 'urn:mpeg:mpegB:cicp:systems:auxiliary:alpha';
export const DEPTH_URN = 'urn:mpeg:hevc:2015:auxid:2';
export const exifItemData = (make: string) => concat(u32(0), tiffWith([{ tag: 0x010f, ascii: make }, { tag: 0x013b, ascii: 'SECRET-ARTIST' }]));
export const XMP_PACKET = '<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>SECRET-XMP-CREATOR</rdf:RDF></x:xmpmeta>';

export function buildHeif(spec: HeifSpec): Uint8Array {
  const brand = spec.brand ?? 'heic';
  const ftyp = box('ftyp', brand, u32(0), 'mif1', brand);
  const data = (item: ItemSpec) => bytesOf(item.data ?? '');
  const inIdat = spec.items.filter((item) => item.method === 1);
  const inMdat = spec.items.filter((item) => item.method !== 1 && item.data !== undefined);
  const meta = (mdatPayload: number) => {
    let at = mdatPayload;
    let idatAt = 0;
    const entries = spec.items
      .filter((item) => item.data !== undefined)
      .map((item) => {
        const length = data(item).length;
        const offset = item.method === 1 ? idatAt : at;
        if (item.method === 1) idatAt += length;
        else at += length;
        return [...u16(item.id), ...u16(item.method ?? 0), ...u16(0), ...u16(1), ...u32(offset), ...u32(length)];
      });
    const children = [
      fullBox('hdlr', 0, 0, u32(0), 'pict', new Uint8Array(12), `${spec.handlerName ?? ''}\0`),
      fullBox('pitm', 0, 0, u16(spec.primary ?? 1)),
      fullBox('iloc', 1, 0, [0x44, 0x00], u16(entries.length), ...entries),
      fullBox(
        'iinf',
        0,
        0,
        u16(spec.items.filter((item) => !item.undeclared).length),
        ...spec.items.filter((item) => !item.undeclared).map((item) =>
          fullBox('infe', 2, 0, u16(item.id), u16(0), item.type, `${item.name ?? ''}\0`, item.contentType === undefined ? '' : `${item.contentType}\0`),
        ),
      ),
      fullBox('iref', 0, 0, ...(spec.references ?? []).map(([type, from, to]) => box(type, u16(from), u16(to.length), ...to.map(u16)))),
      box(
        'iprp',
        box('ipco', ...(spec.properties ?? [HVCC, ispe(64, 64)])),
        fullBox('ipma', 0, 0, u32((spec.associations ?? []).length), ...(spec.associations ?? []).map(([id, list]) => [...u16(id), list.length, ...list])),
      ),
    ];
    if (inIdat.length > 0) children.push(box('idat', ...inIdat.map(data)));
    return fullBox('meta', 0, 0, ...children);
  };
  const metaSize = meta(0).length;
  const mdat = box('mdat', ...inMdat.map(data), spec.unreferenced ?? '');
  return concat(ftyp, meta(ftyp.length + metaSize + 8), mdat, ...(spec.after ?? []), ascii(spec.trailer ?? ''));
}

/** The HEIC the task describes: an HEVC image with Exif and XMP items, a motion-photo box and a trailer. */
export const TYPICAL: HeifSpec = {
  handlerName: 'SECRET-HANDLER',
  items: [
    { id: 1, type: 'hvc1', data: HEVC_BYTES, name: 'SECRET-ITEM-NAME' },
    { id: 2, type: 'Exif', data: exifItemData('SECRET-EXIF-MAKE') },
    { id: 3, type: 'mime', data: XMP_PACKET, contentType: 'application/rdf+xml' },
  ],
  references: [
    ['cdsc', 2, [1]],
    ['cdsc', 3, [1]],
  ],
  associations: [[1, [0x81, 2]]],
  unreferenced: 'SECRET-UNREFERENCED',
  after: [box('mpvd', '....ftypmp42 SECRET-MOTION-VIDEO')],
  trailer: 'SECRET-SAMSUNG-TRAILER',
};

export const SECRETS = ['SECRET-HANDLER', 'SECRET-ITEM-NAME', 'SECRET-EXIF-MAKE', 'SECRET-ARTIST', 'SECRET-XMP-CREATOR', 'SECRET-UNREFERENCED', 'SECRET-MOTION-VIDEO', 'SECRET-SAMSUNG-TRAILER'];
