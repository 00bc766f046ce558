package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
)

// listingTZ is the client's zone in every slot listing.
const listingTZ = "America/New_York"

// phaseLimit bounds the wall-clock time of one measured loop.
const phaseLimit = 90 * time.Second

// slotsResult is the slot listing measured sequentially and concurrently.
type slotsResult struct {
	path                   string
	slots                  int // in one listing
	bodyBytes              int
	seq, conc              summary // client side: request written to body read
	seqTTFB, concTTFB      summary // client side: to the first response byte
	seqServer, concServer  summary // inside the server (serverTimer)
	seqErrors, concErrors  int
	seqElapsed, concElapse time.Duration
}

type slotJSON struct {
	ClinicianID int64  `json:"clinician_id"`
	Start       string `json:"start"`
	End         string `json:"end"`
}

// slotsPath is GET /api/v1/slots for individual consultations over the 60
// days starting today in the listing zone.
func slotsPath(now time.Time) string {
	loc, _ := time.LoadLocation(listingTZ)
	today := now.In(loc)
	from := today.Format(time.DateOnly)
	to := today.AddDate(0, 0, seedHorizonDays-1).Format(time.DateOnly)
	q := url.Values{"kind": {"individual"}, "from": {from}, "to": {to}, "tz": {listingTZ}}
	return "/api/v1/slots?" + q.Encode()
}

// listSlots fetches one listing and decodes it.
func listSlots(ctx context.Context, c *http.Client, raw string) ([]slotJSON, int, error) {
	code, body, err := get(ctx, c, raw)
	if err != nil {
		return nil, 0, err
	}
	if code != http.StatusOK {
		return nil, 0, fmt.Errorf("GET %s = %d: %.200s", raw, code, body)
	}
	var out struct {
		Slots []slotJSON `json:"slots"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, 0, fmt.Errorf("decode slots: %w", err)
	}
	return out.Slots, len(body), nil
}

type timed struct {
	total, ttfb time.Duration
	ok          bool
}

// timedGet fetches raw, reads the whole body and times it.
func timedGet(ctx context.Context, c *http.Client, raw string) timed {
	var first atomic.Int64
	start := time.Now()
	trace := &httptrace.ClientTrace{GotFirstResponseByte: func() { first.Store(int64(time.Since(start))) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, raw, nil)
	if err != nil {
		return timed{}
	}
	res, err := c.Do(req)
	if err != nil {
		return timed{total: time.Since(start)}
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return timed{total: time.Since(start), ttfb: time.Duration(first.Load()), ok: err == nil && res.StatusCode == http.StatusOK}
}

// measureSlots lists slots n times one after another, then n times with
// clients concurrent clients, recording both the client's and the server's
// view of each request.
func measureSlots(ctx context.Context, s *server, o options) (slotsResult, error) {
	r := slotsResult{path: slotsPath(time.Now())}
	raw := s.base + r.path
	if err := loopbackOnly(raw); err != nil {
		return r, err
	}
	tr := newTransport(o.clients)
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	list, size, err := listSlots(ctx, c, raw)
	if err != nil {
		return r, err
	}
	r.slots, r.bodyBytes = len(list), size
	for range 5 { // warm connections and caches
		timedGet(ctx, c, raw)
	}

	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return r, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return r, err
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}

	s.timer.watch("/api/v1/slots")
	var total, ttfb []time.Duration
	start := time.Now()
	for i := 0; i < o.slotRequests && time.Since(start) < phaseLimit && ctx.Err() == nil; i++ {
		t := timedGet(ctx, c, raw)
		if !t.ok {
			r.seqErrors++
			continue
		}
		total, ttfb = append(total, t.total), append(ttfb, t.ttfb)
	}
	r.seqElapsed = time.Since(start)
	r.seq, r.seqTTFB = summarize(total, r.seqElapsed), summarize(ttfb, 0)
	r.seqServer = summarize(s.timer.take(), 0)

	s.timer.watch("/api/v1/slots")
	var (
		mu     sync.Mutex
		next   atomic.Int64
		errs   atomic.Int64
		wg     sync.WaitGroup
		totals []time.Duration
		ttfbs  []time.Duration
	)
	start = time.Now()
	for range o.clients {
		wg.Go(func() {
			var mine, mineTTFB []time.Duration
			for next.Add(1) <= int64(o.slotRequests) && time.Since(start) < phaseLimit && ctx.Err() == nil {
				t := timedGet(ctx, c, raw)
				if !t.ok {
					errs.Add(1)
					continue
				}
				mine, mineTTFB = append(mine, t.total), append(mineTTFB, t.ttfb)
			}
			mu.Lock()
			totals, ttfbs = append(totals, mine...), append(ttfbs, mineTTFB...)
			mu.Unlock()
		})
	}
	wg.Wait()
	r.concElapse = time.Since(start)
	r.conc, r.concTTFB = summarize(totals, r.concElapse), summarize(ttfbs, 0)
	r.concServer = summarize(s.timer.take(), 0)
	r.concErrors = int(errs.Load())
	return r, ctx.Err()
}
