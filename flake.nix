{
  description = "iam-pgpass: fresh RDS IAM tokens in a PostgreSQL password file";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAll = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      # A shell with what `deno task test` needs besides the Debian-only
      # pieces (RDS in a box needs root and /etc/pam.d; the tests fall back
      # to the wire-protocol stand-in without them).
      devShells = forAll (pkgs: {
        default = pkgs.mkShell {
          packages = [
            pkgs.deno
            pkgs.postgresql_15
            pkgs.openssl
            pkgs.go
            pkgs.jdk17_headless
            (pkgs.python3.withPackages (ps: [ ps.psycopg2 ps.psycopg ps.asyncpg ]))
          ];
        };
      });

      # `nix run . -- <args>` runs iam-pgpass from the checkout with the same
      # permissions as `deno task start`.
      apps = forAll (pkgs: {
        default = {
          type = "app";
          program = toString (pkgs.writeShellScript "iam-pgpass" ''
            exec ${pkgs.deno}/bin/deno run --allow-env --allow-read \
              --allow-write --allow-net --allow-run --allow-sys=uid,homedir \
              ${self}/main.ts "$@"
          '');
        };
      });
    };
}
