// Command loadtest measures Firststep against the targets in docs/design.md, on
// the machine it runs on. It starts a real server in this process on a
// loopback port (SQLite in a fresh temporary folder, or a fresh schema of
// the Postgres database given with --database-url), seeds a practice of 10
// clinicians with 200 existing bookings, and then measures over loopback
// HTTP only:
//
//   - slot listing for 60 days, sequentially and with concurrent clients;
//   - 200 clients racing for 20 open slots, checked in the database after;
//   - requests per second of the landing page against a bare net/http
//     handler serving a page of the same size;
//   - the hot paths with 32 connections, each beside its reference:
//     intake submission against raw single-row inserts at the same
//     durability, a week of slots and the landing page against the same
//     bytes served from memory;
//   - idle memory and the time from exec to the first 200 of the real
//     firststep binary.
//
// Every phase is bounded in requests and in time. It exits 1 when the race
// result is wrong (not exactly 20 bookings, an overlap, a server error) and
// 2 when it could not measure at all.
//
//	go run ./cmd/loadtest [--quick] [--database-url postgres://…]
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK        = 0
	exitRaceWrong = 1
	exitFailed    = 2
)

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return exitFailed
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	r, err := measureAll(ctx, o, stdout, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return exitFailed
	}
	printSummary(stdout, o, r)
	if o.hotOnly {
		return exitOK
	}
	if problems := r.race.problems(); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, "loadtest: race:", p)
		}
		return exitRaceWrong
	}
	return exitOK
}
