package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// The targets of docs/design.md.
const (
	targetSlotsP50   = 5 * time.Millisecond
	targetRaceP99    = 250 * time.Millisecond
	targetPagesRatio = 1.0 / 3
	targetIdleBytes  = 40_000_000
	targetFirstOK    = 300 * time.Millisecond
	targetIntakeP99  = 100 * time.Millisecond
	targetIntakeRaw  = 0.5 // of raw single-row inserts
	targetSlotsMem   = 0.3 // of the same bytes from memory
	targetLandingMem = 0.5 // of the same bytes from memory
)

// busyMachine is the share of the CPUs used by other processes above which
// a run's figures are flagged as taken on a busy machine.
const busyMachine = 0.10

func printSlots(w io.Writer, o options, r slotsResult) {
	fmt.Fprintf(w, "GET %s\n", r.path)
	fmt.Fprintf(w, "%d slots, %d bytes of JSON per listing\n", r.slots, r.bodyBytes)
	fmt.Fprintf(w, "sequential, 1 client (%d errors):\n", r.seqErrors)
	fmt.Fprintf(w, "  server-side  %s\n", r.seqServer)
	fmt.Fprintf(w, "  client TTFB  %s\n", r.seqTTFB)
	fmt.Fprintf(w, "  client total %s\n", r.seq)
	fmt.Fprintf(w, "concurrent, %d clients (%d errors):\n", o.clients, r.concErrors)
	fmt.Fprintf(w, "  server-side  %s\n", r.concServer)
	fmt.Fprintf(w, "  client TTFB  %s\n", r.concTTFB)
	fmt.Fprintf(w, "  client total %s\n", r.conc)
	fmt.Fprintln(w, "(server-side: inside the server, from before routing to the handler's return, body written;")
	fmt.Fprintln(w, " TTFB: request sent to first response byte; total: to the last byte read)")
}

func printRace(w io.Writer, r raceResult) {
	fmt.Fprintf(w, "%d clients, each with its own intake and connection, released at once on %d open slots (%d per slot)\n",
		r.racers, r.slots, r.racers/r.slots)
	fmt.Fprintf(w, "201 created: %d   409 slot_taken: %d   other: %s   5xx: %d   no response: %d\n",
		r.created(), r.conflicts(), statusList(r.others()), r.serverErrors(), r.transportErrors)
	fmt.Fprintf(w, "latency (release to response read): %s; all done in %s\n", r.latency, ms(r.wall))
	fmt.Fprintf(w, "database: %d active bookings of the racers (want %d), %d of %d raced slots booked exactly once, %d elsewhere\n",
		r.activeRace, r.slots, r.slotsBookedOnce, r.slots, r.unexpectedBooked)
	fmt.Fprintf(w, "database: %d active bookings in all (want %d); overlapping pairs: %d (SQL self-join), %d (checked again)\n",
		r.activeTotal, r.wantTotal, r.overlapsSQL, r.overlapsChecked)
	if p := r.problems(); len(p) > 0 {
		fmt.Fprintln(w, "RACE RESULT WRONG:", strings.Join(p, "; "))
	} else {
		fmt.Fprintln(w, "race result correct")
	}
}

func statusList(m map[int]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d×%d", m[code], code))
	}
	return strings.Join(parts, ", ")
}

func printPages(w io.Writer, o options, r pagesResult) {
	fmt.Fprintf(w, "GET / (%d bytes) vs a bare net/http handler writing the same bytes; %d clients, %d round(s) of %s each\n",
		r.bodyBytes, o.clients, r.rounds, o.pageDuration)
	fmt.Fprintf(w, "  firststep  %6.0f req/s  (%d requests; latency p50 %s, p99 %s)\n",
		r.firststep.perSecond(), r.firststep.requests, ms(r.firststep.latency.P50), ms(r.firststep.latency.P99))
	fmt.Fprintf(w, "  bare       %6.0f req/s  (%d requests; latency p50 %s, p99 %s)\n",
		r.bare.perSecond(), r.bare.requests, ms(r.bare.latency.P50), ms(r.bare.latency.P99))
	var rounds []string
	for _, x := range r.roundRatio {
		rounds = append(rounds, fmt.Sprintf("%.2f", x))
	}
	fmt.Fprintf(w, "  ratio %.2f (rounds: %s); target at least %.2f\n", r.ratio, strings.Join(rounds, ", "), targetPagesRatio)
}

func printHot(w io.Writer, o options, r hotResult) {
	fmt.Fprintf(w, "%d connections per side; each comparison alternates the two sides for %d round(s) of %s each\n", r.conns, r.rounds, o.hotDuration)
	if r.synchronous[0] != "" {
		fmt.Fprintf(w, "PRAGMA synchronous: server %s, raw reference %s (2 = FULL)\n", r.synchronous[0], r.synchronous[1])
	}
	line := func(name string, x sideBySide, ref string, target float64) {
		fmt.Fprintf(w, "%s\n", name)
		fmt.Fprintf(w, "  firststep  %7.0f /s  (%d; latency p50 %s, p99 %s, max %s)\n", x.firststep.perSecond(), x.firststep.requests,
			ms(x.firststep.latency.P50), ms(x.firststep.latency.P99), ms(x.firststep.latency.Max))
		fmt.Fprintf(w, "  %-10s %7.0f /s  (%d; latency p50 %s, p99 %s, max %s)\n", ref, x.reference.perSecond(), x.reference.requests,
			ms(x.reference.latency.P50), ms(x.reference.latency.P99), ms(x.reference.latency.Max))
		var rounds []string
		for _, v := range x.roundRatio {
			rounds = append(rounds, fmt.Sprintf("%.2f", v))
		}
		fmt.Fprintf(w, "  ratio %.2f (rounds: %s); target at least %.2f\n", x.ratio, strings.Join(rounds, ", "), target)
	}
	line("POST /api/v1/intakes vs raw single-row inserts (one connection, one transaction each)", r.intake, "raw", targetIntakeRaw)
	if r.commits >= 0 {
		fmt.Fprintf(w, "  (%d intakes in %d commits of SQLite's writer)\n", r.intake.firststep.requests, r.commits)
	}
	line(fmt.Sprintf("GET %s (%d bytes) vs the same bytes from memory", r.slotsPath, r.slots.bodyBytes), r.slots, "memory", targetSlotsMem)
	line(fmt.Sprintf("GET / (%d bytes) vs the same bytes from memory", r.landing.bodyBytes), r.landing, "memory", targetLandingMem)
}

func printHotSummary(tw io.Writer, r hotResult) {
	fmt.Fprintf(tw, "intake submission, %d connections: p99 < 100 ms\tp50 %s, p99 %s\t%s\n", r.conns,
		ms(r.intake.firststep.latency.P50), ms(r.intake.firststep.latency.P99),
		verdict(r.intake.firststep.latency.N > 0 && r.intake.firststep.latency.P99 < targetIntakeP99))
	fmt.Fprintf(tw, "intake submission ≥ 0.5 × raw single-row inserts\t%.0f vs %.0f /s = %.2f\t%s\n",
		r.intake.firststep.perSecond(), r.intake.reference.perSecond(), r.intake.ratio, verdict(r.intake.ratio >= targetIntakeRaw))
	fmt.Fprintf(tw, "a week of slots, %d connections ≥ 0.3 × from memory\t%.0f vs %.0f req/s = %.2f\t%s\n", r.conns,
		r.slots.firststep.perSecond(), r.slots.reference.perSecond(), r.slots.ratio, verdict(r.slots.ratio >= targetSlotsMem))
	fmt.Fprintf(tw, "landing page, %d connections ≥ 0.5 × from memory\t%.0f vs %.0f req/s = %.2f\t%s\n", r.conns,
		r.landing.firststep.perSecond(), r.landing.reference.perSecond(), r.landing.ratio, verdict(r.landing.ratio >= targetLandingMem))
}

func printStart(w io.Writer, r startResult) {
	if r.buildTime > 0 {
		fmt.Fprintf(w, "built %s (%s) in %s\n", r.binary, r.binaryInfo, r.buildTime.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "binary %s (%s)\n", r.binary, r.binaryInfo)
	}
	for i, s := range r.fresh {
		fmt.Fprintf(w, "  fresh data folder #%d: first 200 after %s; idle VmRSS %s (peak %s)\n", i+1, ms(s.firstOK), mib(s.rssKB), mib(s.hwmKB))
	}
	for i, s := range r.restart {
		fmt.Fprintf(w, "  existing data folder #%d: first 200 after %s; idle VmRSS %s (peak %s)\n", i+1, ms(s.firstOK), mib(s.rssKB), mib(s.hwmKB))
	}
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func printSummary(w io.Writer, o options, r results) {
	section(w, "targets (docs/design.md)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\tmeasured\tresult")
	if o.hotOnly {
		printHotSummary(tw, r.hot)
		tw.Flush()
		return
	}

	fmt.Fprintf(tw, "slot listing, 10 clinicians × 60 days: p50 < 5 ms server-side\tp50 %s one at a time (p99 %s); with %d clients p50 %s, %.0f req/s\t%s\n",
		ms(r.slots.seqServer.P50), ms(r.slots.seqServer.P99), o.clients, ms(r.slots.concServer.P50), r.slots.conc.PerSecond,
		verdict(r.slots.seqServer.N > 0 && r.slots.seqServer.P50 < targetSlotsP50))

	rc := r.race
	fmt.Fprintf(tw, "race: exactly %d bookings, 0 overlaps, 0 5xx\t%d × 201, %d × 409, %d 5xx; %d in the database, %d overlapping pairs\t%s\n",
		rc.slots, rc.created(), rc.conflicts(), rc.serverErrors(), rc.activeRace, rc.overlapsSQL, verdict(len(rc.problems()) == 0))
	fmt.Fprintf(tw, "race: p99 < 250 ms\tp50 %s, p99 %s\t%s\n", ms(rc.latency.P50), ms(rc.latency.P99),
		verdict(rc.latency.N > 0 && rc.latency.P99 < targetRaceP99))

	fmt.Fprintf(tw, "public pages ≥ 1/3 of bare net/http\t%.0f vs %.0f req/s = %.2f\t%s\n",
		r.pages.firststep.perSecond(), r.pages.bare.perSecond(), r.pages.ratio, verdict(r.pages.ratio >= targetPagesRatio))

	printHotSummary(tw, r.hot)

	var rss []uint64
	var firsts []time.Duration
	worstRSS, worstFirst := uint64(0), time.Duration(0)
	for _, s := range r.start.all() {
		rss, firsts = append(rss, s.rssKB), append(firsts, s.firstOK)
		worstRSS, worstFirst = max(worstRSS, s.rssKB), max(worstFirst, s.firstOK)
	}
	fmt.Fprintf(tw, "idle memory < 40 MB RSS (firststep binary)\tmedian %s, max %s over %d starts\t%s\n",
		mib(medianKB(rss)), mib(worstRSS), len(rss), verdict(len(rss) > 0 && worstRSS*1024 < targetIdleBytes))
	freshFirst := make([]time.Duration, 0, len(r.start.fresh))
	for _, s := range r.start.fresh {
		freshFirst = append(freshFirst, s.firstOK)
	}
	fmt.Fprintf(tw, "binary start to first 200 < 300 ms\tmedian %s (fresh folder %s), max %s\t%s\n",
		ms(median(firsts)), ms(median(freshFirst)), ms(worstFirst), verdict(len(firsts) > 0 && worstFirst < targetFirstOK))
	tw.Flush()
	fmt.Fprintf(w, "(database: %s; this process idle after start-up: VmRSS %s, includes the load clients)\n", r.database, mib(r.selfIdle.rssKB))
	if b := r.busy(); b > busyMachine {
		fmt.Fprintf(w, "WARNING: other processes kept up to %.0f%% of the CPUs busy during a phase; these figures are not the machine's. Run again when it is idle.\n", 100*b)
		if o.databaseURL != "" {
			fmt.Fprintln(w, "(on Postgres, the database server's own work counts as other processes)")
		}
	}
}
