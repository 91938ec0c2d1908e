// Command go_libpq logs in with lib/pq from the PG* environment alone and
// prints current_user. lib/pq reads PGPASSFILE itself.
package main

import (
	"database/sql"
	"fmt"
	"os"

	_ "github.com/lib/pq"
)

func main() {
	db, err := sql.Open("postgres", "")
	if err == nil {
		defer db.Close()
		var user string
		err = db.QueryRow("select current_user").Scan(&user)
		if err == nil {
			fmt.Println(user)
			return
		}
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
