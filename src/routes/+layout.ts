// A static SPA: everything runs in the browser, nothing on a server.
export const ssr = false;
export const prerender = false;
