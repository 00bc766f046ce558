// Command firststep runs a therapy practice's consultation front door.
//
//	firststep [serve] [--demo]   run the web server (applies migrations first)
//	firststep migrate            apply migrations and exit
//	firststep user add --email E --role admin|clinician|frontdesk [--clinician ID]
//	firststep token create --email E
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	// Time-zone rules travel inside the binary, so slot times are right on
	// machines without (or with stale) system zone data.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "firststep:", err)
		os.Exit(1)
	}
}
