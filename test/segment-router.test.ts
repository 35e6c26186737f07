import { TrieRouter } from "hono/router/trie-router";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { SegmentRouter } from "../src/http/segment-router";

/** The handlers (in order) a router finds for a request, as indexes into the route list. */
function matched(router: SegmentRouter<number> | TrieRouter<number>, method: string, path: string) {
  const [found] = router.match(method, path);
  return found.map((entry) => (Array.isArray(entry) ? entry[0] : entry));
}

describe("SegmentRouter", () => {
  it("finds exactly the handlers, in the same order, that one router over all the app's routes finds", () => {
    const routes = createApp().routes.map((r, i) => [r.method, r.path, i] as const);
    const segmented = new SegmentRouter<number>();
    const single = new TrieRouter<number>();
    for (const [method, path, i] of routes) {
      segmented.add(method, path, i);
      single.add(method, path, i);
    }
    const concrete = (path: string) => path.replace(/:[^/]+/g, "x_1").replace(/\*$/, "anything/else");
    const paths = [...new Set(routes.map(([, path]) => concrete(path))), "/", "/nope", "/v1", "/v1/nope/deeper", "/workflows/new", "/runs/new", "/health/live/"];
    let compared = 0;
    for (const method of ["GET", "POST", "PUT", "DELETE", "OPTIONS"]) {
      for (const path of paths) {
        expect(matched(segmented, method, path), `${method} ${path}`).toEqual(matched(single, method, path));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(400);
  });
});
