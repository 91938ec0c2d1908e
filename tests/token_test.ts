import assert from "node:assert/strict";
import { Signer } from "@aws-sdk/rds-signer";
import { signToken } from "../lib/token.ts";
import { VECTORS as vectors } from "./vectors.ts";

/** The token's host:port prefix and its query parameters, order-free. */
function parts(token: string) {
  const [prefix, query] = token.split("/?") as [string, string];
  const params = Object.fromEntries(new URLSearchParams(query));
  return { prefix, params };
}

Deno.test("signToken matches every shared vector at its signing time", async (t) => {
  assert.ok(vectors.length >= 5);
  for (const vector of vectors) {
    await t.step(`${vector.username}@${vector.hostname}`, async () => {
      const token = await signToken({
        hostname: vector.hostname,
        port: vector.port,
        username: vector.username,
        region: vector.region,
        credentials: {
          accessKeyId: vector.accessKeyId,
          secretAccessKey: vector.secretAccessKey,
          sessionToken: vector.sessionToken ?? undefined,
        },
        signingDate: new Date(vector.signingTime),
      });
      const ours = parts(token);
      const theirs = parts(vector.token);
      assert.equal(ours.prefix, theirs.prefix);
      assert.deepEqual(ours.params, theirs.params);
      assert.equal(
        ours.params["X-Amz-Signature"],
        theirs.params["X-Amz-Signature"],
      );
    });
  }
});

Deno.test("signToken gives the same token as @aws-sdk/rds-signer", async () => {
  const credentials = {
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    sessionToken: "session/token+with=chars",
  };
  const theirs = await new Signer({
    hostname: "db.abc.eu-central-1.rds.amazonaws.com",
    port: 5432,
    username: "app",
    region: "eu-central-1",
    credentials,
  }).getAuthToken();
  const date = parts(theirs).params["X-Amz-Date"]!;
  const signingDate = new Date(
    date.replace(
      /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/,
      "$1-$2-$3T$4:$5:$6Z",
    ),
  );
  const ours = await signToken({
    hostname: "db.abc.eu-central-1.rds.amazonaws.com",
    port: 5432,
    username: "app",
    region: "eu-central-1",
    credentials,
    signingDate,
  });
  assert.equal(ours, theirs);
});
