export const START: string;
export const END: string;
export function errorTable(errors: Record<string, { status: number; description: string }>): string;
export function replaceErrorTable(readme: string, table: string): string;
