// Types of dist-state.js (plain JavaScript, so that the entry point can run it before any compiler).
export declare const SOURCE_DIRS: string[];
export declare const SOURCE_FILES: string[];
export declare const STAMP: string;
export declare function sourceFiles(root: string): string[];
export declare function distState(root: string): { current: boolean; reason: string };
