"""Logs in with psycopg2 from the PG* environment alone; prints current_user."""
import sys

import psycopg2

try:
    with psycopg2.connect("") as conn, conn.cursor() as cur:
        cur.execute("select current_user")
        print(cur.fetchone()[0])
except psycopg2.Error as error:
    print(str(error).strip(), file=sys.stderr)
    sys.exit(1)
