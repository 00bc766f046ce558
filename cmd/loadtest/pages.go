package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// pagesResult compares the landing page with a bare net/http handler.
type pagesResult struct {
	bodyBytes  int
	rounds     int
	firststep  throughput
	bare       throughput
	ratio      float64 // firststep requests/s over bare requests/s
	roundRatio []float64
}

type throughput struct {
	requests int
	errors   int
	elapsed  time.Duration
	latency  summary
}

func (t throughput) perSecond() float64 {
	if t.elapsed <= 0 {
		return 0
	}
	return float64(t.requests) / t.elapsed.Seconds()
}

func (t *throughput) add(u throughput) {
	t.requests += u.requests
	t.errors += u.errors
	t.elapsed += u.elapsed
}

// measurePages fetches GET / from Firststep and the same bytes from a bare
// net/http handler on another loopback port of this process, with the same
// number of concurrent clients for the same time, in alternating rounds.
func measurePages(ctx context.Context, s *server, o options) (pagesResult, error) {
	var r pagesResult
	c := &http.Client{Transport: newTransport(1), Timeout: 10 * time.Second}
	code, body, err := get(ctx, c, s.base+"/")
	c.CloseIdleConnections()
	if err != nil {
		return r, err
	}
	if code != http.StatusOK || !strings.Contains(string(body), "<html") {
		return r, fmt.Errorf("GET / = %d, not the landing page", code)
	}
	r.bodyBytes = len(body)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return r, err
	}
	bare := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.Write(body)
	}), ReadHeaderTimeout: 10 * time.Second}
	go bare.Serve(ln)
	defer bare.Close()
	bareURL := "http://" + ln.Addr().String() + "/"

	var fsLat, bareLat []time.Duration
	for range o.pageRounds {
		f, fl := hammer(ctx, s.base+"/", o.clients, o.pageDuration)
		b, bl := hammer(ctx, bareURL, o.clients, o.pageDuration)
		r.firststep.add(f)
		r.bare.add(b)
		fsLat, bareLat = append(fsLat, fl...), append(bareLat, bl...)
		if b.perSecond() > 0 {
			r.roundRatio = append(r.roundRatio, f.perSecond()/b.perSecond())
		}
		r.rounds++
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
	}
	r.firststep.latency, r.bare.latency = summarize(fsLat, 0), summarize(bareLat, 0)
	if r.bare.perSecond() > 0 {
		r.ratio = r.firststep.perSecond() / r.bare.perSecond()
	}
	if r.firststep.errors > 0 || r.bare.errors > 0 {
		return r, fmt.Errorf("pages: %d failed requests to firststep, %d to the bare handler", r.firststep.errors, r.bare.errors)
	}
	return r, nil
}

// hammer GETs raw with clients concurrent clients for d and counts the 200s.
func hammer(ctx context.Context, raw string, clients int, d time.Duration) (throughput, []time.Duration) {
	return drive(ctx, raw, clients, d, 10*time.Second, http.StatusOK, func(ctx context.Context) *http.Request {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
		return req
	})
}

// drive sends the requests next makes from conns concurrent clients for d,
// each waiting for its answer before the next, and counts the answers with
// status want (the rest, and failed requests, are errors) with their
// latencies. Only loopback addresses are driven.
func drive(ctx context.Context, raw string, conns int, d, timeout time.Duration, want int, next func(context.Context) *http.Request) (throughput, []time.Duration) {
	if err := loopbackOnly(raw); err != nil {
		return throughput{errors: 1}, nil
	}
	tr := newTransport(conns)
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: timeout}
	var (
		ok, bad atomic.Int64
		mu      sync.Mutex
		lat     []time.Duration
		wg      sync.WaitGroup
	)
	stopAt := time.Now().Add(d)
	start := time.Now()
	for range conns {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(stopAt) && ctx.Err() == nil {
				req := next(ctx)
				t0 := time.Now()
				res, err := c.Do(req)
				if err != nil {
					if !errors.Is(err, context.Canceled) {
						bad.Add(1)
					}
					continue
				}
				_, err = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if err != nil || res.StatusCode != want {
					bad.Add(1)
					continue
				}
				ok.Add(1)
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return throughput{requests: int(ok.Load()), errors: int(bad.Load()), elapsed: time.Since(start)}, lat
}
