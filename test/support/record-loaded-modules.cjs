// Preload (`node --require`): on exit, writes the CommonJS files the process loaded to $CUTTER_LOADED_MODULES.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  writeFileSync(process.env.CUTTER_LOADED_MODULES, JSON.stringify(Object.keys(require.cache)));
});
