import type { Plugin } from 'esbuild';

export declare const S3_SCHEMAS: RegExp;
export declare function inlineSchemaKeys(source: string): string;
export declare function staticImports(source: string, specifiers: readonly string[]): string;
export declare const CUTS: Plugin[];
