import type { YogaServerOptions } from "graphql-yoga";

export type CorsSetting = YogaServerOptions<object, object>["cors"];

/**
 * Yoga answers an origin missing from its list with `allow-origin: null` (or the one listed origin) and
 * `allow-credentials: true`: browsers refuse that, but it still grants credentials and lists the allowed headers.
 * Here an origin that is not listed gets no CORS headers at all; no setting means no cross-origin access.
 */
export function corsPolicy(setting: CorsSetting): CorsSetting {
  if (setting === undefined || setting === false || setting === true || typeof setting === "function")
    return setting ?? false;
  const listed = setting.origin === undefined ? [] : [setting.origin].flat();
  if (listed.includes("*")) return setting;
  return (request) => {
    const origin = request.headers.get("origin");
    return origin !== null && listed.includes(origin) ? { ...setting, origin } : false;
  };
}
