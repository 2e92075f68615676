/** Messages between the editor (types.ts) and the type worker (types.worker.ts). */
import type { BlockDiagnostic } from './block-program.ts';

export type TypesRequest =
  | { id: number; kind: 'diagnostics'; file: string; code: string }
  | { id: number; kind: 'hover'; file: string; code: string; pos: number }
  | { id: number; kind: 'complete'; file: string; code: string; pos: number };

export type TypesResponse =
  | { id: number; kind: 'diagnostics'; diagnostics: BlockDiagnostic[] }
  | { id: number; kind: 'hover'; hover: { from: number; to: number; text: string; doc: string } | null }
  | {
      id: number;
      kind: 'complete';
      items: { label: string; kind: string; sort: string }[];
      from: number | null;
    }
  | { id: number; kind: 'error'; message: string };
