import type { RegisterMessage } from "@cogno/protocol";

/** The register message the daemon's unit tests send as "this machine". */
export const testRegisterMessage: RegisterMessage = {
  type: "register",
  machineId: "mch_test0001",
  name: "ci-worker",
  hostname: "test-host",
  os: "linux",
  arch: "x64",
  version: "0.0.0-test",
};
