import type { OpenAPIHono } from "@hono/zod-openapi";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { sessionForReads } from "../session";
import { assetRoutes } from "./assets";
import { errorPage } from "./errors";
import { homeScreen } from "./home";
import { signInRoutes } from "./sign-in";
import { workflowScreens } from "./workflows";
import { accountScreens } from "./account";
import { deploymentScreens } from "./deployments";
import { docsScreen } from "./docs";
import { libraryScreens } from "./library";
import { marketplaceScreens } from "./marketplace";
import { runScreens } from "./runs";

/**
 * The web dashboard: server-rendered screens on explicit paths only (never a wildcard), so
 * API routes (/v1, /rpc, /events, /runs/{id}/events, /mcp, /health, /openapi.json) keep theirs.
 */
/** The dashboard pages; `app` is the API whose reference `/docs` renders. */
export const dashboardRoutes = (app: OpenAPIHono<AppEnv, any, any>) => {
  const routes = new Hono<AppEnv>()
  // EventSource cannot send Authorization: a signed-in browser reads its run streams by cookie.
  .use("/runs/:id/events", sessionForReads)
  .route("/", assetRoutes)
  .route("/", homeScreen)
  .route("/", signInRoutes)
  .route("/", workflowScreens)
  .route("/", marketplaceScreens)
  .route("/", libraryScreens)
  .route("/", deploymentScreens)
  .route("/", runScreens)
  .route("/", accountScreens)
  .route("/", docsScreen(app));
  routes.onError(errorPage);
  return routes;
};
