// Types only (svelte.d.ts): nothing runs.
export {};
