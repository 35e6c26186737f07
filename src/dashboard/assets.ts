import { Hono } from "hono";
import type { AppEnv } from "../env";
import { DASHBOARD_JS } from "./assets/client";
import { FAVICON_SVG } from "./assets/favicon";
import { DASHBOARD_CSS } from "./assets/styles";

/** Static assets served by the Worker itself (no CDN): short cache, revalidated by ETag-free max-age. */
const asset = (body: string, type: string) => () =>
  new Response(body, {
    headers: { "Content-Type": type, "Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff" },
  });

export const assetRoutes = new Hono<AppEnv>()
  .get("/assets/dashboard.css", asset(DASHBOARD_CSS, "text/css; charset=utf-8"))
  .get("/assets/dashboard.js", asset(DASHBOARD_JS, "text/javascript; charset=utf-8"))
  .get("/assets/favicon.svg", asset(FAVICON_SVG, "image/svg+xml"))
  .get("/favicon.ico", asset(FAVICON_SVG, "image/svg+xml"));
