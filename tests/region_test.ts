import assert from "node:assert/strict";
import { AwsConfigError, UsageError } from "../lib/errors.ts";
import { regionFromHost, resolveRegion } from "../lib/region.ts";

Deno.test("regionFromHost reads the region of RDS endpoint names", async (t) => {
  const cases: [string, string | null][] = [
    ["mydb.c9akciq32.us-east-1.rds.amazonaws.com", "us-east-1"],
    ["prod.cluster-ro-c1x2.eu-west-2.rds.amazonaws.com", "eu-west-2"],
    ["p.proxy-abc.ap-southeast-2.rds.amazonaws.com", "ap-southeast-2"],
    ["db.abc.cn-north-1.rds.amazonaws.com.cn", "cn-north-1"],
    ["db.abc.us-gov-west-1.rds.amazonaws.com", "us-gov-west-1"],
    ["MYDB.ABC.US-EAST-1.RDS.AMAZONAWS.COM", "us-east-1"],
    ["db.abc.us-east-1.rds.amazonaws.com.", "us-east-1"],
    ["localhost", null],
    ["10.0.0.1", null],
    ["db.internal.example.com", null],
    ["rds.amazonaws.com", null],
    ["db.us-east-1.rds.amazonaws.com.evil.com", null],
  ];
  for (const [host, region] of cases) {
    await t.step(host, () => assert.equal(regionFromHost(host), region));
  }
});

const rdsHost = "db.abc.eu-west-1.rds.amazonaws.com";

Deno.test("resolveRegion applies flag, host name, then AWS settings", async (t) => {
  await t.step("the flag wins over everything", () => {
    const got = resolveRegion("localhost", {
      flag: "us-west-2",
      awsRegion: "eu-west-1",
      profileName: "default",
    });
    assert.deepEqual(got, { region: "us-west-2", source: "--region" });
  });
  await t.step("a flag that disagrees with the host name warns", () => {
    const got = resolveRegion(rdsHost, {
      flag: "us-west-2",
      profileName: "default",
    });
    assert.equal(got.region, "us-west-2");
    assert.match(got.warning!, /differs from "eu-west-1"/);
  });
  await t.step("the host name wins over AWS_REGION, with a warning", () => {
    const got = resolveRegion(rdsHost, {
      awsRegion: "us-east-1",
      profileName: "default",
    });
    assert.equal(got.region, "eu-west-1");
    assert.equal(got.source, "host name");
    assert.match(got.warning!, /AWS_REGION says "us-east-1"/);
  });
  await t.step("agreeing settings give no warning", () => {
    const got = resolveRegion(rdsHost, {
      awsRegion: "eu-west-1",
      profileName: "default",
    });
    assert.equal(got.warning, undefined);
  });
  await t.step("AWS_REGION, then AWS_DEFAULT_REGION, then the profile", () => {
    const all = {
      awsRegion: "ca-central-1",
      awsDefaultRegion: "sa-east-1",
      profileRegion: "af-south-1",
      profileName: "dev",
    };
    assert.equal(resolveRegion("h", all).region, "ca-central-1");
    assert.equal(
      resolveRegion("h", { ...all, awsRegion: undefined }).region,
      "sa-east-1",
    );
    const profileOnly = resolveRegion("h", {
      profileRegion: "af-south-1",
      profileName: "dev",
    });
    assert.deepEqual(profileOnly, {
      region: "af-south-1",
      source: 'profile "dev"',
    });
  });
  await t.step(
    "no region anywhere is an AwsConfigError naming the fixes",
    () => {
      assert.throws(
        () => resolveRegion("localhost", { profileName: "dev" }),
        (error: unknown) =>
          error instanceof AwsConfigError &&
          /No AWS region for host "localhost"/.test(error.message) &&
          /profile "dev"/.test(error.message),
      );
    },
  );
  await t.step("a malformed region is a UsageError naming its source", () => {
    assert.throws(
      () => resolveRegion("h", { awsRegion: "Mars", profileName: "default" }),
      (error: unknown) =>
        error instanceof UsageError &&
        /"Mars" from AWS_REGION/.test(error.message),
    );
  });
});
