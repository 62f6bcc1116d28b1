// Types only (react.d.ts): nothing runs.
export {};
