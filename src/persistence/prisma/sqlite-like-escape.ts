/**
 * PostgreSQL's LIKE treats a backslash as the escape character; SQLite's has none unless the query names one,
 * and Prisma's SQL for `contains`, `startsWith` and `endsWith` names none. With this ESCAPE clause a `\%`,
 * `\_` or `\\` in a pattern matches that character literally on SQLite too, so one escaping works on both.
 */
const PARAMETER_LIKE = /\bLIKE \?(?!\s*ESCAPE)/g;

export function withLikeEscape<Q extends { sql: string }>(query: Q): Q {
  return query.sql.includes("LIKE ?") ? { ...query, sql: query.sql.replace(PARAMETER_LIKE, "LIKE ? ESCAPE '\\'") } : query;
}
