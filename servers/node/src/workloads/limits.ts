/** Settings every Node stack shares, so the frameworks are configured alike. */

/** /ml bodies: 1024 rows of 8 numbers is ~200 KB of JSON; 1 MiB leaves room and still refuses abuse. */
export const BODY_LIMIT = 1024 * 1024;

/** Generous keep-alive so load generators keep their connections between requests. */
export const KEEP_ALIVE_MS = 65_000;
