// log-update, imported statically here so that the build can make it a vendor bundle
// (dist/vendor/log-update.cjs, required on use): live-log.ts imports this module on use.
export { createLogUpdate } from 'log-update';
