package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/store"
)

// results are every figure of one run.
type results struct {
	date      time.Time
	machine   string
	database  string
	selfIdle  status // this process after start-up and a GC
	selfAfter status // this process after the load, and a GC
	seed      seeded
	slots     slotsResult
	race      raceResult
	pages     pagesResult
	hot       hotResult
	start     startResult
	loads     []phaseLoad
}

// busy is the highest share of the CPUs other processes used in a phase.
func (r results) busy() float64 {
	b := 0.0
	for _, l := range r.loads {
		b = max(b, l.other)
	}
	return b
}

// measureAll runs every phase in turn, printing each one's figures as they
// come.
func measureAll(ctx context.Context, o options, stdout, stderr io.Writer) (results, error) {
	r := results{date: time.Now(), machine: machine()}
	tmp, err := os.MkdirTemp("", "firststep-loadtest-")
	if err != nil {
		return r, err
	}
	if o.keep {
		fmt.Fprintln(stdout, "temporary folder kept:", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	logw := io.Discard
	if o.verbose {
		logw = stderr
	}
	fmt.Fprintf(stdout, "firststep load test, %s\n%s\n", r.date.Format("2006-01-02 15:04 MST"), r.machine)

	srv, err := startServer(ctx, o, filepath.Join(tmp, "data"), logw)
	if err != nil {
		return r, err
	}
	defer srv.stop()
	r.database = string(store.DialectOf(srv.app.DB))
	runtime.GC()
	if r.selfIdle, err = procStatus("self"); err != nil {
		return r, err
	}
	fmt.Fprintf(stdout, "server %s on %s; this process idle after start-up and a GC: VmRSS %s\n",
		srv.base, r.database, mib(r.selfIdle.rssKB))

	rng := rand.New(rand.NewPCG(o.seed, 0x5eed))
	section(stdout, "seeding")
	if r.seed, err = seedPractice(ctx, srv.app, rng); err != nil {
		return r, err
	}
	if err := waitOutbox(ctx, srv.app.DB, outboxDrainLimit); err != nil {
		return r, err
	}
	fmt.Fprintf(stdout, "%d clinicians, %d bookings through the booking service in %s (their emails delivered)\n",
		len(r.seed.clinicians), r.seed.bookings, r.seed.took.Round(time.Millisecond))

	if o.hotOnly {
		return r, measureHotPhase(ctx, &r, srv, o, tmp, stdout)
	}

	section(stdout, "slot listing")
	cpu := sampleCPU()
	if r.slots, err = measureSlots(ctx, srv, o); err != nil {
		return r, err
	}
	printSlots(stdout, o, r.slots)
	r.noteLoad(stdout, "the slot listing", cpu)

	section(stdout, "booking race")
	cpu = sampleCPU()
	if r.race, err = race(ctx, srv, o, rng, r.seed.bookings); err != nil {
		return r, err
	}
	printRace(stdout, r.race)
	r.noteLoad(stdout, "the race", cpu)
	if err := waitOutbox(ctx, srv.app.DB, outboxDrainLimit); err != nil {
		return r, err
	}

	section(stdout, "public pages")
	cpu = sampleCPU()
	if r.pages, err = measurePages(ctx, srv, o); err != nil {
		return r, err
	}
	printPages(stdout, o, r.pages)
	r.noteLoad(stdout, "the pages comparison", cpu)

	if err := measureHotPhase(ctx, &r, srv, o, tmp, stdout); err != nil {
		return r, err
	}

	runtime.GC()
	if r.selfAfter, err = procStatus("self"); err != nil {
		return r, err
	}
	if err := srv.stop(); err != nil {
		return r, fmt.Errorf("stop server: %w", err)
	}

	section(stdout, "firststep binary: start-up and idle memory")
	cpu = sampleCPU()
	if r.start, err = measureStartup(ctx, o, tmp); err != nil {
		return r, err
	}
	printStart(stdout, r.start)
	r.noteLoad(stdout, "the starts", cpu)
	fmt.Fprintf(stdout, "this process (server and clients) after the load and a GC: VmRSS %s, peak VmHWM %s\n",
		mib(r.selfAfter.rssKB), mib(r.selfAfter.hwmKB))
	return r, nil
}

// measureHotPhase measures the hot paths side by side with their references.
func measureHotPhase(ctx context.Context, r *results, srv *server, o options, tmp string, stdout io.Writer) error {
	section(stdout, "hot paths")
	cpu := sampleCPU()
	var err error
	if r.hot, err = measureHot(ctx, srv, o, tmp); err != nil {
		return err
	}
	printHot(stdout, o, r.hot)
	r.noteLoad(stdout, "the hot paths", cpu)
	return waitOutbox(ctx, srv.app.DB, outboxDrainLimit)
}

// noteLoad records and prints how busy other processes kept the machine
// since since.
func (r *results) noteLoad(w io.Writer, phase string, since cpuSample) {
	l := phaseLoad{name: phase, other: otherLoad(since, sampleCPU())}
	r.loads = append(r.loads, l)
	fmt.Fprintf(w, "(%s)\n", loadNote(l))
}

func section(w io.Writer, name string) { fmt.Fprintf(w, "\n== %s\n", name) }

// machine describes where the figures were taken.
func machine() string {
	cpu := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	return fmt.Sprintf("%s/%s, %d CPUs (%s), %s, GOMAXPROCS %d", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpu,
		runtime.Version(), runtime.GOMAXPROCS(0))
}
