// What a dashboard JSON file can hold where @grafana/schema declares a TypeScript enum: the enum's
// string values. Deep, so nested panel options and field configs are checked the same way.
export type Json<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends Array<infer E>
      ? Array<Json<E>>
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

// Panel options are checked against each panel plugin's own options type; files may leave fields out.
export type PartialJson<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends Array<infer E>
      ? Array<PartialJson<E>>
      : T extends object
        ? { [K in keyof T]?: PartialJson<T[K]> }
        : T;

// The queries gpuward's dashboards use: SQL against the PostgreSQL sink tables, PromQL against the roles' /metrics.
export interface SqlTarget {
  refId: string;
  datasource: { type: 'grafana-postgresql-datasource'; uid: string };
  rawSql: string;
  format: 'table' | 'time_series';
  rawQuery?: boolean;
  editorMode?: 'code' | 'builder';
}

export interface PromTarget {
  refId: string;
  datasource: { type: 'prometheus'; uid: string };
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
}
