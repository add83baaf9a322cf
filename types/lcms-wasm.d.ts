// Type declarations for LittleCMS compiled to WebAssembly (lcms-wasm), the colour engine of the ICC tests:
// only what they call. A profile or transform is a handle (a pointer into the module's heap); 0 means failure.
declare module 'lcms-wasm' {
  export interface Lcms {
    cmsOpenProfileFromMem(bytes: Uint8Array, size: number): number;
    cmsCloseProfile(profile: number): void;
    cmsCreateLab4Profile(whitePoint: null): number;
    cmsGetColorSpaceASCII(profile: number): string | null;
    cmsFormatterForColorspaceOfProfile(profile: number, bytesPerChannel: number, isFloat: number): number;
    cmsCreateTransform(input: number, inputFormat: number, output: number, outputFormat: number, intent: number, flags: number): number;
    cmsDeleteTransform(transform: number): void;
    cmsDoTransform(transform: number, input: Uint16Array, pixels: number): Uint16Array;
  }
  export function instantiate(): Promise<Lcms>;
  export const TYPE_Lab_16: number;
  export const cmsFLAGS_NOCACHE: number;
  export const cmsFLAGS_NOOPTIMIZE: number;
}
