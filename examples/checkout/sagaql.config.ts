/** The checkout example's config, as `sagaql start` loads it: the environment sets how slow `pm_card_slow` is. */
import { checkoutConfig, slowCardMsFrom } from "./config.ts";

export default checkoutConfig({ slowCardMs: slowCardMsFrom(process.env) });
