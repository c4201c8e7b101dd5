#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm run build`). The log of HEAD that a local release
// plan reads first starts before the rest of the CLI loads, and this one-shot process then runs nicer than that
// git, its critical path (dist/cli/early-head-log.js and give-way-to-git.js say why).
import('../dist/cli/early-head-log.js')
  .then((early) => {
    if (early.startEarlyHeadLog(process.argv)) early.giveWayToGit();
    return import('../dist/cli/main.js');
  })
  .catch((err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && /dist[\\/]cli[\\/]/.test(String(err.message))) {
      console.error('cutter: the CLI is not built yet — run `npm run build` first.');
      process.exit(2);
    }
    throw err;
  });
