package main

import (
	"flag"
	"fmt"
	"io"
	"time"
)

// options are the knobs of one run; the defaults are the full measurement.
type options struct {
	quick        bool
	databaseURL  string
	slotRequests int           // slot listings, sequentially and again concurrently
	clients      int           // concurrent clients for slot listing and pages
	pageDuration time.Duration // per round of the pages comparison
	pageRounds   int
	racers       int
	raceSlots    int
	starts       int // binary starts on a fresh data folder
	restarts     int // binary starts on an existing data folder
	idleWait     time.Duration
	binary       string
	seed         uint64
	timeout      time.Duration
	keep         bool
	verbose      bool
	cpuprofile   string
	hotConns     int           // connections in the hot-path comparisons
	hotDuration  time.Duration // per side of one round of the hot-path comparisons
	hotRounds    int           // rounds of each hot-path comparison
	hotProfile   string        // CPU profile prefix for the hot paths' Firststep side
	hotOnly      bool
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./cmd/loadtest [flags]")
		fs.PrintDefaults()
	}
	fs.BoolVar(&o.quick, "quick", false, "a short run: fewer requests, shorter rounds, fewer binary starts")
	fs.StringVar(&o.databaseURL, "database-url", "", "postgres:// URL: measure on a fresh schema of this database instead of SQLite (dropped afterwards)")
	fs.IntVar(&o.slotRequests, "slot-requests", 300, "slot listings measured sequentially, and again with concurrent clients")
	fs.IntVar(&o.clients, "clients", 8, "concurrent clients for slot listing and the pages comparison")
	fs.DurationVar(&o.pageDuration, "page-duration", 3*time.Second, "length of one round of the pages comparison")
	fs.IntVar(&o.pageRounds, "page-rounds", 2, "rounds of the pages comparison (each: firststep, then bare net/http)")
	fs.IntVar(&o.racers, "racers", 200, "clients in the booking race")
	fs.IntVar(&o.raceSlots, "race-slots", 20, "open slots the racers contend for")
	fs.IntVar(&o.starts, "starts", 5, "starts of the firststep binary on a fresh data folder")
	fs.IntVar(&o.restarts, "restarts", 2, "starts of the firststep binary on an existing data folder")
	fs.DurationVar(&o.idleWait, "idle-wait", 2*time.Second, "how long the started binary idles before its memory is read")
	fs.StringVar(&o.binary, "binary", "", "a firststep binary to start; empty: build ./cmd/firststep into the temporary folder")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for picking booked and raced slots")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "upper bound on the whole run")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary folder (and Postgres schema) for inspection")
	fs.BoolVar(&o.verbose, "v", false, "show the in-process server's request log on stderr")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of this process during the slot listing to this file")
	fs.IntVar(&o.hotConns, "hot-conns", 32, "concurrent connections in the hot-path comparisons (intakes, a week of slots, landing page)")
	fs.DurationVar(&o.hotDuration, "hot-duration", time.Second, "length of each side of one round of the hot-path comparisons")
	fs.IntVar(&o.hotRounds, "hot-rounds", 5, "rounds of each hot-path comparison (each: firststep, then its reference)")
	fs.StringVar(&o.hotProfile, "hot-cpuprofile", "", "write CPU profiles of the hot paths (both sides; Firststep under its server) to PREFIX-intake.pprof, PREFIX-slots.pprof, PREFIX-landing.pprof")
	fs.BoolVar(&o.hotOnly, "hot-only", false, "seed, then measure only the hot-path comparisons")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		quick := func(name string, apply func()) {
			if !set[name] {
				apply()
			}
		}
		quick("slot-requests", func() { o.slotRequests = 60 })
		quick("page-duration", func() { o.pageDuration = time.Second })
		quick("page-rounds", func() { o.pageRounds = 1 })
		quick("hot-rounds", func() { o.hotRounds = 2 })
		quick("starts", func() { o.starts = 2 })
		quick("restarts", func() { o.restarts = 1 })
		quick("idle-wait", func() { o.idleWait = time.Second })
		quick("timeout", func() { o.timeout = 4 * time.Minute })
	}
	bad := func(msg string) error {
		fmt.Fprintln(stderr, "loadtest:", msg)
		return fmt.Errorf("%s", msg)
	}
	switch {
	case o.slotRequests < 1 || o.slotRequests > 100000:
		return o, bad("--slot-requests must be between 1 and 100000")
	case o.clients < 1 || o.clients > 256:
		return o, bad("--clients must be between 1 and 256")
	case o.pageDuration <= 0 || o.pageDuration > time.Minute:
		return o, bad("--page-duration must be positive and at most 1m")
	case o.pageRounds < 1 || o.pageRounds > 10:
		return o, bad("--page-rounds must be between 1 and 10")
	case o.raceSlots < 1 || o.raceSlots > 100:
		return o, bad("--race-slots must be between 1 and 100")
	case o.racers < o.raceSlots || o.racers > 2000:
		return o, bad("--racers must be at least --race-slots and at most 2000")
	case o.starts < 1 || o.starts > 50 || o.restarts < 0 || o.restarts > 50:
		return o, bad("--starts must be 1–50 and --restarts 0–50")
	case o.idleWait < 0 || o.idleWait > time.Minute:
		return o, bad("--idle-wait must be at most 1m")
	case o.hotConns < 1 || o.hotConns > 256:
		return o, bad("--hot-conns must be between 1 and 256")
	case o.hotRounds < 1 || o.hotRounds > 20:
		return o, bad("--hot-rounds must be between 1 and 20")
	case o.hotDuration <= 0 || o.hotDuration > time.Minute:
		return o, bad("--hot-duration must be positive and at most 1m")
	case o.timeout <= 0:
		return o, bad("--timeout must be positive")
	}
	return o, nil
}
