/** The folder the engine loads at run time (dist/assets/ of @emotion-detector/core), as an absolute path. */
export declare const assetsDir: string;
/** The assets' files, as paths relative to assetsDir with '/' separators. */
export declare function assetFiles(): string[];
/** Copies every runtime asset into `dest` (created if needed); unchanged files are skipped. */
export declare function copyAssets(dest: string): { dest: string; files: string[]; copied: number; bytes: number };
