// Node module hook: resolves `cloudflare:workers` to the shim beside this file.
export async function resolve(specifier, context, next) {
  if (specifier === "cloudflare:workers") return { url: new URL("./workers-shim.mjs", import.meta.url).href, shortCircuit: true };
  return next(specifier, context);
}
