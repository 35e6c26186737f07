/** A workflow's steps as an SVG graph: one column per dependency depth, depends_on as arrows. */
export interface GraphStep {
  id: string;
  name?: string;
  depends_on?: string[];
  status?: string;
  /** Second line of the node (defaults to the id). */
  detail?: string;
}

const NODE_W = 170;
const NODE_H = 46;
const GAP_X = 60;
const GAP_Y = 18;
const PAD = 16;

function depths(steps: GraphStep[]): Map<string, number> {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a cycle cannot be stored, but never loop on one
    visiting.add(id);
    const deps = (byId.get(id)?.depends_on ?? []).filter((d) => byId.has(d));
    const d = deps.length === 0 ? 0 : Math.max(...deps.map(visit)) + 1;
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  steps.forEach((s) => visit(s.id));
  return depth;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function StepGraph({ steps, label }: { steps: GraphStep[]; label: string }) {
  if (steps.length === 0) return <p class="muted">No steps.</p>;
  const depth = depths(steps);
  const columns: GraphStep[][] = [];
  for (const s of steps) (columns[depth.get(s.id)!] ??= []).push(s);
  const pos = new Map<string, { x: number; y: number }>();
  columns.forEach((col, ci) => col.forEach((s, ri) => pos.set(s.id, { x: PAD + ci * (NODE_W + GAP_X), y: PAD + ri * (NODE_H + GAP_Y) })));
  const width = PAD * 2 + columns.length * NODE_W + (columns.length - 1) * GAP_X;
  const height = PAD * 2 + Math.max(...columns.map((c) => c.length)) * (NODE_H + GAP_Y) - GAP_Y;
  const edges = steps.flatMap((s) => (s.depends_on ?? []).filter((d) => pos.has(d)).map((d) => ({ from: d, to: s.id })));
  const summary = steps
    .map((s) => `${s.id}${s.status ? ` (${s.status})` : ""}${s.depends_on?.length ? ` after ${s.depends_on.join(", ")}` : ""}`)
    .join("; ");
  return (
    <svg class="graph" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={`${label}: ${summary}`}>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path class="arrowhead" d="M 0 0 L 10 5 L 0 10 z" />
        </marker>
      </defs>
      {edges.map(({ from, to }) => {
        const a = pos.get(from)!;
        const b = pos.get(to)!;
        const x1 = a.x + NODE_W;
        const y1 = a.y + NODE_H / 2;
        const x2 = b.x - 2;
        const y2 = b.y + NODE_H / 2;
        const mid = (x1 + x2) / 2;
        return <path class="edge" data-edge={`${from}->${to}`} d={`M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`} marker-end="url(#arrow)" />;
      })}
      {steps.map((s) => {
        const p = pos.get(s.id)!;
        return (
          <g class={`node s-${s.status ?? "idle"}`} data-node={s.id} transform={`translate(${p.x} ${p.y})`}>
            <rect width={NODE_W} height={NODE_H} rx="8" />
            <text x="10" y="19">
              {clip(s.name ?? s.id, 24)}
            </text>
            <text x="10" y="36" class="mono" opacity="0.7">
              {clip(s.detail ?? s.id, 26)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
