#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so that no build step sits between a clone and `npx voxlab`.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
