// The source of a worker thread (`new Worker(source, { eval: true })`) that runs one module of VoxLab.

/**
 * `module` is the worker module's TypeScript URL (`new URL("./x.ts", import.meta.url)`). Compiled (dist/*.js,
 * this file included), the worker imports the module's JavaScript; run from the TypeScript sources, it first
 * registers tsx's loader, which a worker does not inherit from the main thread.
 */
export function workerSource(module: URL): string {
  if (import.meta.url.endsWith(".js")) return `import(${JSON.stringify(module.href.replace(/\.ts$/, ".js"))});`;
  const tsx = import.meta.resolve("tsx/esm/api");
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(module.href)}); });`;
}
