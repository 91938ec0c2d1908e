"""Logs in with asyncpg from the PG* environment alone; prints current_user.

asyncpg has no libpq: it reads PGHOST, PGPASSFILE and the rest itself.
"""
import asyncio
import sys

import asyncpg


async def main():
    conn = await asyncpg.connect()
    try:
        print(await conn.fetchval("select current_user"))
    finally:
        await conn.close()


try:
    asyncio.run(main())
except Exception as error:  # asyncpg raises OSError and its own errors
    print(f"{type(error).__name__}: {error}".strip(), file=sys.stderr)
    sys.exit(1)
