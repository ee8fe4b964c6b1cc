import { startMain } from "./main.ts";

await startMain(process.argv);
