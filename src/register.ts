// `node --import sagaql/register app.ts`: TypeScript for the app's own files (the scaffold's `npm test` runs
// through it), the same loader the `sagaql` CLI uses for sagaql.config.ts.
import { register } from "tsx/esm/api";

register();
