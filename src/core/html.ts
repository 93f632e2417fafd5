/** HTML escaping for the pages bulwark serves (the auditor console, the development IdP's login). */

/** Text and attribute values: every character that could end a text run or an attribute. */
export const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
