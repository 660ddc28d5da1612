import { benchEmbed } from "./embed.ts";
const r = await benchEmbed();
console.log(r.summary.join("\n")); console.log(JSON.stringify(r.metrics, null, 1));
