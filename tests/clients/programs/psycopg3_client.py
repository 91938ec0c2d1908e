"""Logs in with psycopg 3 from the PG* environment alone; prints current_user."""
import sys

import psycopg

try:
    with psycopg.connect("") as conn:
        print(conn.execute("select current_user").fetchone()[0])
except psycopg.Error as error:
    print(str(error).strip(), file=sys.stderr)
    sys.exit(1)
