package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// raceResult is what the racers got and what the database holds after.
type raceResult struct {
	racers, slots    int
	statuses         map[int]int
	transportErrors  int
	latency          summary // each racer: release to response read
	wall             time.Duration
	activeRace       int64 // active bookings of the racers' intakes
	activeTotal      int64 // every active booking, seeded ones included
	wantTotal        int64
	overlapsSQL      int64 // overlapping pairs by the SQL self-join
	overlapsChecked  int   // the same, checked again in Go
	slotsBookedOnce  int   // raced slots holding exactly one racer's booking
	unexpectedBooked int   // racers' bookings not at a raced slot
}

func (r raceResult) created() int   { return r.statuses[http.StatusCreated] }
func (r raceResult) conflicts() int { return r.statuses[http.StatusConflict] }

func (r raceResult) serverErrors() int {
	n := 0
	for code, c := range r.statuses {
		if code >= 500 {
			n += c
		}
	}
	return n
}

func (r raceResult) others() map[int]int {
	out := map[int]int{}
	for code, c := range r.statuses {
		if code != http.StatusCreated && code != http.StatusConflict {
			out[code] = c
		}
	}
	return out
}

// problems lists every way the race result breaks the invariants.
func (r raceResult) problems() []string {
	var p []string
	if r.racers == 0 {
		return []string{"the race did not run"}
	}
	if r.created() != r.slots {
		p = append(p, fmt.Sprintf("%d requests answered 201, want exactly %d", r.created(), r.slots))
	}
	if n := r.serverErrors(); n > 0 {
		p = append(p, fmt.Sprintf("%d server errors (5xx)", n))
	}
	if r.transportErrors > 0 {
		p = append(p, fmt.Sprintf("%d requests got no response", r.transportErrors))
	}
	if r.activeRace != int64(r.slots) {
		p = append(p, fmt.Sprintf("the database holds %d active bookings of the racers, want exactly %d", r.activeRace, r.slots))
	}
	if r.slotsBookedOnce != r.slots || r.unexpectedBooked > 0 {
		p = append(p, fmt.Sprintf("%d of %d raced slots hold exactly one booking; %d bookings elsewhere", r.slotsBookedOnce, r.slots, r.unexpectedBooked))
	}
	if r.activeTotal != r.wantTotal {
		p = append(p, fmt.Sprintf("%d active bookings in all, want %d", r.activeTotal, r.wantTotal))
	}
	if r.overlapsSQL > 0 || r.overlapsChecked > 0 {
		p = append(p, fmt.Sprintf("overlapping bookings: %d pairs by SQL, %d by a second check", r.overlapsSQL, r.overlapsChecked))
	}
	return p
}

type raceTarget struct {
	clinicianID int64
	start       string // as the API listed it
	at          time.Time
}

// pickRaceSlots picks n open slots from a listing: spread over the
// clinicians, at most one per clinician and day (so that no two raced slots
// are near each other), and at least two days from both ends of the range
// (so that notice and horizon cannot close one during the race).
func pickRaceSlots(list []slotJSON, n int, rng *rand.Rand) ([]raceTarget, error) {
	byClinician := map[int64][]raceTarget{}
	var ids []int64
	first, last := time.Now().Add(48*time.Hour), time.Now().AddDate(0, 0, seedHorizonDays-2)
	for _, s := range list {
		at, err := time.Parse(time.RFC3339, s.Start)
		if err != nil {
			return nil, fmt.Errorf("slot start %q: %w", s.Start, err)
		}
		if at.Before(first) || at.After(last) {
			continue
		}
		if _, ok := byClinician[s.ClinicianID]; !ok {
			ids = append(ids, s.ClinicianID)
		}
		byClinician[s.ClinicianID] = append(byClinician[s.ClinicianID], raceTarget{clinicianID: s.ClinicianID, start: s.Start, at: at})
	}
	slices.Sort(ids)
	for _, id := range ids {
		rng.Shuffle(len(byClinician[id]), func(i, j int) {
			l := byClinician[id]
			l[i], l[j] = l[j], l[i]
		})
	}
	used := map[string]bool{} // clinician and date
	var out []raceTarget
	for progress := true; len(out) < n && progress; {
		progress = false
		for _, id := range ids {
			for len(byClinician[id]) > 0 && len(out) < n {
				t := byClinician[id][0]
				byClinician[id] = byClinician[id][1:]
				key := fmt.Sprintf("%d %s", id, t.at.UTC().Format(time.DateOnly))
				if used[key] {
					continue
				}
				used[key] = true
				out = append(out, t)
				progress = true
				break
			}
		}
	}
	if len(out) < n {
		return nil, fmt.Errorf("only %d raceable open slots, want %d", len(out), n)
	}
	return out, nil
}

// createIntakes creates n individual intakes through POST /api/v1/intakes.
func createIntakes(ctx context.Context, base string, n, workers int) (ids []int64, tokens []string, err error) {
	tr := newTransport(workers)
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ids, tokens = make([]int64, n), make([]string, n)
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				body := fmt.Sprintf(`{"kind":"individual","name":"Racing Client %d","email":"racer%d@example.org","contact_preference":"email","timezone":%q,"consent":true}`,
					i+1, i+1, listingTZ)
				code, out, err := postJSON(ctx, c, base+"/api/v1/intakes", body)
				var created struct {
					ID    int64  `json:"id"`
					Token string `json:"token"`
				}
				if err == nil && code != http.StatusCreated {
					err = fmt.Errorf("POST /api/v1/intakes = %d: %.200s", code, out)
				}
				if err == nil {
					err = json.Unmarshal(out, &created)
				}
				if err == nil && created.Token == "" {
					err = fmt.Errorf("POST /api/v1/intakes returned no token")
				}
				if err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
				ids[i], tokens[i] = created.ID, created.Token
			}
		})
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return ids, tokens, firstErr
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// race lets o.racers clients, each with an intake and a connection of its
// own, book o.raceSlots slots at once (racer i wants slot i mod slots), then
// checks the database.
func race(ctx context.Context, s *server, o options, rng *rand.Rand, seededBookings int) (raceResult, error) {
	r := raceResult{racers: o.racers, slots: o.raceSlots, statuses: map[int]int{}, wantTotal: int64(seededBookings + o.raceSlots)}
	lc := &http.Client{Transport: newTransport(1), Timeout: 30 * time.Second}
	list, _, err := listSlots(ctx, lc, s.base+slotsPath(time.Now()))
	lc.CloseIdleConnections()
	if err != nil {
		return r, err
	}
	targets, err := pickRaceSlots(list, o.raceSlots, rng)
	if err != nil {
		return r, err
	}
	intakeIDs, tokens, err := createIntakes(ctx, s.base, o.racers, o.clients)
	if err != nil {
		return r, fmt.Errorf("create racers' intakes: %w", err)
	}

	type racer struct {
		client *http.Client
		req    *http.Request
		status int
		err    error
		took   time.Duration
	}
	racers := make([]*racer, o.racers)
	defer func() {
		for _, rc := range racers {
			if rc != nil {
				rc.client.CloseIdleConnections()
			}
		}
	}()
	bookURL := s.base + "/api/v1/bookings"
	if err := loopbackOnly(bookURL); err != nil {
		return r, err
	}
	for i := range racers {
		t := targets[i%len(targets)]
		body, _ := json.Marshal(map[string]any{"intake_token": tokens[i], "clinician_id": t.clinicianID, "start": t.start})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, bookURL, bytes.NewReader(body))
		if err != nil {
			return r, err
		}
		req.Header.Set("Content-Type", "application/json")
		c := &http.Client{Transport: newTransport(1), Timeout: 30 * time.Second}
		// Connect first, so that the race is between requests, not dials.
		if code, _, err := get(ctx, c, s.base+"/healthz"); err != nil || code != http.StatusOK {
			return r, fmt.Errorf("racer %d could not connect: %d %v", i, code, err)
		}
		racers[i] = &racer{client: c, req: req}
	}

	var ready, done sync.WaitGroup
	release := make(chan struct{})
	for _, rc := range racers {
		ready.Add(1)
		done.Go(func() {
			ready.Done()
			<-release
			start := time.Now()
			res, err := rc.client.Do(rc.req)
			if err != nil {
				rc.err = err
				rc.took = time.Since(start)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			rc.status, rc.took = res.StatusCode, time.Since(start)
		})
	}
	ready.Wait()
	start := time.Now()
	close(release)
	done.Wait()
	r.wall = time.Since(start)

	var lat []time.Duration
	for _, rc := range racers {
		if rc.err != nil {
			r.transportErrors++
			continue
		}
		r.statuses[rc.status]++
		lat = append(lat, rc.took)
	}
	r.latency = summarize(lat, 0)

	return r, verifyRace(ctx, s.app.DB, &r, intakeIDs, targets)
}

// verifyRace reads back, from the database itself, the bookings the race
// made and every overlap between active bookings of one clinician.
func verifyRace(ctx context.Context, db *gorm.DB, r *raceResult, intakeIDs []int64, targets []raceTarget) error {
	db = db.WithContext(ctx)
	if err := db.Raw("SELECT COUNT(*) FROM bookings WHERE status = 'active' AND intake_id IN ?", intakeIDs).Scan(&r.activeRace).Error; err != nil {
		return fmt.Errorf("count raced bookings: %w", err)
	}
	if err := db.Raw("SELECT COUNT(*) FROM bookings WHERE status = 'active'").Scan(&r.activeTotal).Error; err != nil {
		return fmt.Errorf("count bookings: %w", err)
	}
	// Two active bookings of one clinician overlap when their blocked
	// ranges [start_at, block_end) intersect.
	const overlaps = `SELECT COUNT(*) FROM bookings a JOIN bookings b
		ON a.clinician_id = b.clinician_id AND a.id < b.id
		WHERE a.status = 'active' AND b.status = 'active'
		  AND a.start_at < b.block_end AND b.start_at < a.block_end`
	if err := db.Raw(overlaps).Scan(&r.overlapsSQL).Error; err != nil {
		return fmt.Errorf("count overlaps: %w", err)
	}

	type row struct {
		ID          int64
		IntakeID    int64
		ClinicianID int64
		StartAt     time.Time
		BlockEnd    time.Time
	}
	var rows []row
	if err := db.Raw("SELECT id, intake_id, clinician_id, start_at, block_end FROM bookings WHERE status = 'active'").Scan(&rows).Error; err != nil {
		return fmt.Errorf("load bookings: %w", err)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].ClinicianID != rows[j].ClinicianID {
			return rows[i].ClinicianID < rows[j].ClinicianID
		}
		return rows[i].StartAt.Before(rows[j].StartAt)
	})
	for i := range rows {
		for j := i + 1; j < len(rows) && rows[j].ClinicianID == rows[i].ClinicianID && rows[j].StartAt.Before(rows[i].BlockEnd); j++ {
			r.overlapsChecked++
		}
	}

	racing := map[int64]bool{}
	for _, id := range intakeIDs {
		racing[id] = true
	}
	perTarget := map[string]int{}
	key := func(clinician int64, at time.Time) string { return fmt.Sprintf("%d@%d", clinician, at.Unix()) }
	for _, t := range targets {
		perTarget[key(t.clinicianID, t.at)] = 0
	}
	for _, b := range rows {
		if !racing[b.IntakeID] {
			continue
		}
		k := key(b.ClinicianID, b.StartAt)
		if _, ok := perTarget[k]; !ok {
			r.unexpectedBooked++
			continue
		}
		perTarget[k]++
	}
	for _, n := range perTarget {
		if n == 1 {
			r.slotsBookedOnce++
		}
	}
	return nil
}
