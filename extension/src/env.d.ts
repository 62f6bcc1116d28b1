/** Replaced at build time (extension/scripts/build.mjs): the content_scripts match patterns of the call sites. */
declare const __CALL_SITE_MATCHES__: string[];
