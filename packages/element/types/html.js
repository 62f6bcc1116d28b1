// Types only (html.d.ts): nothing runs.
export {};
