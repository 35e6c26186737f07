import type { DeploymentRecord } from "../deployments/record";
import type { Adapter } from "../manifest/schema";
import { JSONRPC, RpcError, type JsonRpcRequest } from "./protocol";
import { callTool, getPrompt, listPrompts, listResources, listTools, readResource } from "./tools";

export const SERVER_INFO = { name: "hydra-edge", title: "Hydra workflows", version: "1.0.0" };

export const SERVER_CAPABILITIES = {
  prompts: { listChanged: false },
  tools: { listChanged: false },
  resources: { subscribe: false, listChanged: false },
};

/** The methods both protocol eras share, answered from the deployment's KV record alone. */
export function dispatch(record: DeploymentRecord, adapter: Adapter, request: JsonRpcRequest): object {
  const params = request.params ?? {};
  switch (request.method) {
    case "ping":
      return {};
    case "prompts/list":
      return listPrompts(record);
    case "prompts/get":
      return getPrompt(record, adapter, params);
    case "tools/list":
      return listTools(record);
    case "tools/call":
      return callTool(record, adapter, params);
    case "resources/list":
      return listResources(record);
    case "resources/templates/list":
      return { resourceTemplates: [] };
    case "resources/read":
      return readResource(record, params);
    default:
      throw new RpcError(JSONRPC.METHOD_NOT_FOUND, `Method not found: ${request.method}`);
  }
}
