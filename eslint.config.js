import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** A rule that lets `files` import VoxLab only through its public API; `pattern` matches every other path into src/. */
function publicApiOnly(files, pattern, message, extra = []) {
  return { files, rules: { "no-restricted-imports": ["error", { patterns: [{ regex: pattern, message }, ...extra] }] } };
}

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "results/", "datasets/", "notebooks/*.ipynb"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  // Clients of the library reach it through src/index.ts only: the CLI (its own files, like ./flags.ts, are
  // fine; a command imports no other command), the benchmarks, the training scripts and the notebooks' helpers
  // (which see the API's compiled declarations, dist/index.d.ts).
  publicApiOnly(["src/cli/*.ts"], "^\\.\\./(?!index\\.ts$)", "import VoxLab from ../index.ts"),
  publicApiOnly(["src/cli/commands/*.ts"], "^\\.\\./\\.\\./(?!index\\.ts$)", "import VoxLab from ../../index.ts", [
    { regex: "^\\./", message: "commands do not import each other: shared pieces go to ../flags.ts, ../format.ts or the library" },
  ]),
  publicApiOnly(["bench/**/*.ts"], "^\\.\\./src/(?!index\\.ts$)", "import VoxLab from ../src/index.ts"),
  publicApiOnly(["models/training/*.ts"], "^\\.\\./\\.\\./src/(?!index\\.ts$)", "import VoxLab from ../../src/index.ts"),
  publicApiOnly(["notebooks/lib/*.ts"], "^\\.\\./\\.\\./(src/|dist/(?!index$))", "notebooks use VoxLab's public API (dist/index) only"),
  // tslab runs notebook cells as CommonJS: require() is how the notebooks' helpers load.
  { files: ["notebooks/lib/*.ts"], rules: { "@typescript-eslint/no-require-imports": "off" } },
  {
    files: ["notebooks/lib/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", exports: "writable", __dirname: "readonly", __filename: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  { files: ["bin/*.js", "bench/*.mjs"], languageOptions: { globals: { process: "readonly", URL: "readonly" } } },
);
