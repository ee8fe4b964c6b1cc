import { generateApiKey } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { generateDeviceCode } from "./codes.ts";
import { seal, sealingPublicKeyOf, unseal } from "./seal.ts";

describe("sealing a key for the polling CLI", () => {
  it("opens with the device code, and only with it", () => {
    const deviceCode = generateDeviceCode();
    const key = generateApiKey();
    const sealed = seal(key, sealingPublicKeyOf(deviceCode), "dev_1");
    expect(sealed).not.toContain(key.slice(9));
    expect(unseal(sealed, deviceCode, "dev_1")).toBe(key);
    expect(unseal(sealed, generateDeviceCode(), "dev_1")).toBeUndefined();
  });

  it("refuses a seal moved to another authorization, or altered", () => {
    const deviceCode = generateDeviceCode();
    const sealed = seal("secret", sealingPublicKeyOf(deviceCode), "dev_1");
    expect(unseal(sealed, deviceCode, "dev_2")).toBeUndefined();
    const bytes = Buffer.from(sealed.slice(3), "base64url");
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 1;
    expect(unseal(`v1.${bytes.toString("base64url")}`, deviceCode, "dev_1")).toBeUndefined();
    expect(unseal("v2.abc", deviceCode, "dev_1")).toBeUndefined();
    expect(unseal("v1.", deviceCode, "dev_1")).toBeUndefined();
  });

  it("derives the same public key from the same device code, and seals differently each time", () => {
    const deviceCode = generateDeviceCode();
    expect(sealingPublicKeyOf(deviceCode)).toBe(sealingPublicKeyOf(deviceCode));
    expect(Buffer.from(sealingPublicKeyOf(deviceCode), "base64url")).toHaveLength(32);
    const publicKey = sealingPublicKeyOf(deviceCode);
    expect(seal("same", publicKey, "dev_1")).not.toBe(seal("same", publicKey, "dev_1"));
  });
});
