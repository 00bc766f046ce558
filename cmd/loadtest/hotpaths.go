package main

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/firststep/firststep/internal/store"
	_ "github.com/mattn/go-sqlite3" // the raw-insert reference speaks to SQLite directly
)

// hotResult is the three hot paths, each measured side by side with its
// reference in alternating rounds, with the same number of connections.
type hotResult struct {
	conns   int
	rounds  int
	intake  sideBySide // POST /api/v1/intakes vs raw single-row inserts
	slots   sideBySide // a week of slots vs the same bytes from memory
	landing sideBySide // GET / vs the same bytes from memory
	// synchronous is PRAGMA synchronous of the server's and of the
	// reference's SQLite database (2 = FULL); empty on Postgres.
	synchronous [2]string
	slotsPath   string
	// commits is how many batches of transactions SQLite's writer ran
	// during the intake comparison (-1 on Postgres).
	commits int64
}

// sideBySide is Firststep and its reference in the same rounds.
type sideBySide struct {
	bodyBytes  int
	firststep  throughput
	reference  throughput
	ratio      float64 // Firststep per second over the reference per second
	roundRatio []float64
}

func (s *sideBySide) round(f, ref throughput) {
	s.firststep.add(f)
	s.reference.add(ref)
	if ref.perSecond() > 0 {
		s.roundRatio = append(s.roundRatio, f.perSecond()/ref.perSecond())
	}
}

func (s *sideBySide) finish(fl, rl []time.Duration) {
	s.firststep.latency, s.reference.latency = summarize(fl, 0), summarize(rl, 0)
	if s.reference.perSecond() > 0 {
		s.ratio = s.firststep.perSecond() / s.reference.perSecond()
	}
}

// hotWeekPath is the slot listing for one week of individual consultations
// of the seeded practice, starting three days from now (past the notice).
func hotWeekPath(now time.Time) string {
	loc, _ := time.LoadLocation(listingTZ)
	from := now.In(loc).AddDate(0, 0, 3)
	q := url.Values{"kind": {"individual"}, "from": {from.Format(time.DateOnly)},
		"to": {from.AddDate(0, 0, 6).Format(time.DateOnly)}, "tz": {listingTZ}}
	return "/api/v1/slots?" + q.Encode()
}

// measureHot runs the hot-path comparisons. Each round runs Firststep and
// then its reference for o.hotDuration with o.hotConns connections. The
// CPU profiles (--hot-cpuprofile) cover both sides; Firststep's part is
// under net/http.(*conn).serve on the server's port.
func measureHot(ctx context.Context, s *server, o options, tmp string) (hotResult, error) {
	r := hotResult{conns: o.hotConns, slotsPath: hotWeekPath(time.Now())}

	// The references: the same bytes from memory on another loopback port.
	c := &http.Client{Transport: newTransport(1), Timeout: 30 * time.Second}
	_, landing, err := get(ctx, c, s.base+"/")
	if err != nil {
		return r, err
	}
	code, week, err := get(ctx, c, s.base+r.slotsPath)
	c.CloseIdleConnections()
	if err != nil {
		return r, err
	}
	if code != http.StatusOK || !strings.Contains(string(week), `"slots"`) {
		return r, fmt.Errorf("GET %s = %d: %.200s", r.slotsPath, code, week)
	}
	r.landing.bodyBytes, r.slots.bodyBytes = len(landing), len(week)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return r, err
	}
	mem := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/api/v1/slots" {
			w.Header().Set("Content-Type", "application/json")
			w.Write(week)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.Write(landing)
	}), ReadHeaderTimeout: 10 * time.Second}
	go mem.Serve(ln)
	defer mem.Close()
	memBase := "http://" + ln.Addr().String()

	raw, err := openRawInserts(ctx, s, filepath.Join(tmp, "raw"))
	if err != nil {
		return r, err
	}
	defer raw.close()
	r.synchronous = [2]string{synchronousOf(ctx, s), raw.synchronous}

	profile := func(name string) func() {
		if o.hotProfile == "" {
			return func() {}
		}
		f, err := os.Create(o.hotProfile + "-" + name + ".pprof")
		if err != nil {
			return func() {}
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return func() {}
		}
		return func() { pprof.StopCPUProfile(); f.Close() }
	}

	// Each comparison alternates Firststep and its reference in short
	// rounds, so that both sides meet the same background load.
	var seq atomic.Int64
	var il, rl, sl, ml, ll, bl []time.Duration
	w0, sqlite := store.Writer(s.app.DB)
	stop := profile("intake")
	for range o.hotRounds {
		f, fl := hammerIntakes(ctx, s.base+"/api/v1/intakes", o.hotConns, o.hotDuration, &seq)
		ref, refl := raw.run(ctx, o.hotDuration)
		r.intake.round(f, ref)
		il, rl = append(il, fl...), append(rl, refl...)
	}
	stop()
	r.commits = -1
	if w1, _ := store.Writer(s.app.DB); sqlite {
		r.commits = w1.Batches - w0.Batches
	}
	stop = profile("slots")
	for range o.hotRounds {
		f, fl := hammer(ctx, s.base+r.slotsPath, o.hotConns, o.hotDuration)
		ref, refl := hammer(ctx, memBase+r.slotsPath, o.hotConns, o.hotDuration)
		r.slots.round(f, ref)
		sl, ml = append(sl, fl...), append(ml, refl...)
	}
	stop()
	stop = profile("landing")
	for range o.hotRounds {
		f, fl := hammer(ctx, s.base+"/", o.hotConns, o.hotDuration)
		ref, refl := hammer(ctx, memBase+"/", o.hotConns, o.hotDuration)
		r.landing.round(f, ref)
		ll, bl = append(ll, fl...), append(bl, refl...)
	}
	stop()
	r.rounds = o.hotRounds
	if ctx.Err() != nil {
		return r, ctx.Err()
	}
	r.intake.finish(il, rl)
	r.slots.finish(sl, ml)
	r.landing.finish(ll, bl)
	for name, x := range map[string]sideBySide{"intakes": r.intake, "slots": r.slots, "landing page": r.landing} {
		if x.firststep.errors > 0 || x.reference.errors > 0 {
			return r, fmt.Errorf("hot paths, %s: %d failed requests to firststep, %d to the reference", name, x.firststep.errors, x.reference.errors)
		}
	}
	return r, nil
}

// hammerIntakes posts new individual intakes, each with its own email, from
// conns concurrent clients for d and counts the 201s.
func hammerIntakes(ctx context.Context, raw string, conns int, d time.Duration, seq *atomic.Int64) (throughput, []time.Duration) {
	return drive(ctx, raw, conns, d, 30*time.Second, http.StatusCreated, func(ctx context.Context) *http.Request {
		n := seq.Add(1)
		body := fmt.Sprintf(`{"kind":"individual","name":"Load Client %d","email":"load%d@example.org",`+
			`"contact_preference":"email","timezone":"America/New_York","consent":true}`, n, n)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, raw, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return req
	})
}

// rawInserts is the reference for intake submission: single-row INSERTs,
// each its own transaction, one after another on one connection, at the
// durability the server runs with. On SQLite that is a file of its own in
// WAL mode with synchronous=FULL (what store.Open sets; both are printed);
// on Postgres a table in the server's schema.
type rawInserts struct {
	db          *sql.DB
	conn        *sql.Conn
	synchronous string
	close       func()
}

func openRawInserts(ctx context.Context, s *server, dir string) (*rawInserts, error) {
	r := &rawInserts{}
	if store.DialectOf(s.app.DB) == store.Postgres {
		db, err := s.app.DB.DB()
		if err != nil {
			return nil, err
		}
		r.db = db
		if _, err := db.ExecContext(ctx, `CREATE TABLE loadtest_raw (id bigserial PRIMARY KEY, body text NOT NULL)`); err != nil {
			return nil, fmt.Errorf("raw inserts: %w", err)
		}
		r.close = func() { db.Exec(`DROP TABLE loadtest_raw`) }
	} else {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "raw.db")+"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000")
		if err != nil {
			return nil, err
		}
		r.db = db
		r.close = func() { db.Close() }
		if _, err := db.ExecContext(ctx, `CREATE TABLE loadtest_raw (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
			db.Close()
			return nil, fmt.Errorf("raw inserts: %w", err)
		}
	}
	conn, err := r.db.Conn(ctx)
	if err != nil {
		r.close()
		return nil, err
	}
	r.conn = conn
	inner := r.close
	r.close = func() { conn.Close(); inner() }
	if store.DialectOf(s.app.DB) == store.SQLite {
		conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&r.synchronous)
	}
	return r, nil
}

// run inserts rows one at a time for d.
func (r *rawInserts) run(ctx context.Context, d time.Duration) (throughput, []time.Duration) {
	var lat []time.Duration
	bad := 0
	stopAt := time.Now().Add(d)
	start := time.Now()
	for time.Now().Before(stopAt) && ctx.Err() == nil {
		t0 := time.Now()
		if _, err := r.conn.ExecContext(ctx, `INSERT INTO loadtest_raw (body) VALUES ($1)`, "Load Client"); err != nil {
			bad++
			continue
		}
		lat = append(lat, time.Since(t0))
	}
	return throughput{requests: len(lat), errors: bad, elapsed: time.Since(start)}, lat
}

// synchronousOf reads PRAGMA synchronous of the server's SQLite database.
func synchronousOf(ctx context.Context, s *server) string {
	if store.DialectOf(s.app.DB) != store.SQLite {
		return ""
	}
	var v string
	s.app.DB.WithContext(ctx).Raw("PRAGMA synchronous").Scan(&v)
	return v
}
