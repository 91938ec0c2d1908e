// Command go_pgx logs in with pgx v4 from the PG* environment alone and
// prints current_user. pgx reads PGPASSFILE in ParseConfig.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/jackc/pgx/v4"
)

func main() {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, "")
	if err == nil {
		defer conn.Close(ctx)
		var user string
		err = conn.QueryRow(ctx, "select current_user").Scan(&user)
		if err == nil {
			fmt.Println(user)
			return
		}
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
