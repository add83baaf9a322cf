// Type declarations for the untyped test decoders, shared by every package's tests.
declare module 'utif' {
  export interface IFD {
    width: number;
    height: number;
    [tag: `t${number}`]: number[] | string[] | Uint8Array | undefined;
  }
  export function decode(buffer: ArrayBuffer): IFD[];
  export function decodeImage(buffer: ArrayBuffer, ifd: IFD): void;
  export function toRGBA8(ifd: IFD): Uint8Array;
  const UTIF: { decode: typeof decode; decodeImage: typeof decodeImage; toRGBA8: typeof toRGBA8 };
  export default UTIF;
}
