/**
 * Fixed test credentials and settings shared by every test that signs
 * tokens for the bed. They open nothing outside the bed.
 */

/** The AWS key every test signs with and every bed verifies against. */
export const TEST_CREDENTIALS = Object.freeze({
  accessKeyId: "AKIDIAMPGPASSTEST01",
  secretAccessKey: "iam-pgpass/test+bed/secret/key/not/a/real/one",
});

/** The region the bed stands for. */
export const TEST_REGION = "eu-central-1";

/** The database the bed creates for its IAM users. */
export const TEST_DATABASE = "appdb";

/** Two IAM users, so tests can sign for one and log in as the other. */
export const TEST_USERS = Object.freeze(["iam_alice", "iam_bob"]);
