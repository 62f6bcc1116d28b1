/** This package's dist/assets/ (the part of the assets folder it ships itself), as an absolute path. */
export declare const assetsDir: string;
/** Every file of the assets folder: `path` relative to it ('/' separators), `source` the absolute file to copy or serve. */
export declare function assetFiles(): Array<{ path: string; source: string }>;
/** Copies every runtime asset into `dest` (created if needed); unchanged files are skipped. */
export declare function copyAssets(dest: string): { dest: string; files: string[]; copied: number; bytes: number };
