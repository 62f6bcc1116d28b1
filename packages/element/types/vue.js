// Types only (vue.d.ts): nothing runs.
export {};
