package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/firststep/firststep/internal/app"
	"github.com/firststep/firststep/internal/config"
	"github.com/firststep/firststep/internal/store"
	"github.com/labstack/echo/v4"
)

// server is a Firststep started in this process for the measurements.
type server struct {
	app   *app.App
	base  string // http://127.0.0.1:port
	timer *serverTimer
	stop  func() error
}

// startServer starts Firststep as `firststep serve` would, on a loopback
// port, over dataDir (and a fresh schema of databaseURL when one is given),
// with the rate limit off so that the racers are not turned away. Its
// request log goes to logw, formatted as in production.
func startServer(ctx context.Context, o options, dataDir string, logw io.Writer) (*server, error) {
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	databaseURL := ""
	if o.databaseURL != "" {
		u, drop, err := freshSchema(ctx, o.databaseURL, o.keep)
		if err != nil {
			return nil, err
		}
		databaseURL = u
		cleanups = append(cleanups, drop)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("listen: %w", err)
	}
	env := map[string]string{
		"FIRSTSTEP_ADDR":         ln.Addr().String(),
		"FIRSTSTEP_DATA":         dataDir,
		"FIRSTSTEP_DATABASE_URL": databaseURL,
		"FIRSTSTEP_RATE_LIMIT":   "0",
	}
	cfg, _, err := config.Parse("serve", nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		ln.Close()
		cleanup()
		return nil, fmt.Errorf("config: %w", err)
	}
	logger := slog.New(slog.NewJSONHandler(logw, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := app.New(ctx, cfg, logger, app.Options{})
	if err != nil {
		ln.Close()
		cleanup()
		return nil, fmt.Errorf("start firststep: %w", err)
	}
	cleanups = append(cleanups, func() { a.Close() })
	timer := &serverTimer{}
	a.Echo.Pre(timer.middleware)

	serveCtx, stopServe := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(serveCtx, ln) }()
	s := &server{app: a, base: "http://" + ln.Addr().String(), timer: timer}
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() {
			stopServe()
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				stopErr = errors.New("server did not stop within 30s")
			}
			cleanup()
		})
		return stopErr
	}
	if err := waitHealthy(ctx, s.base, 10*time.Second); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// waitHealthy polls /healthz until it answers 200 or limit passes.
func waitHealthy(ctx context.Context, base string, limit time.Duration) error {
	c := &http.Client{Transport: newTransport(1), Timeout: time.Second}
	defer c.CloseIdleConnections()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if code, _, err := get(ctx, c, base+"/healthz"); err == nil && code == http.StatusOK {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s/healthz did not answer 200 within %s", base, limit)
}

// freshSchema creates a schema of its own in the Postgres database of
// pgURL and returns a URL whose search_path points at it; drop removes it.
func freshSchema(ctx context.Context, pgURL string, keep bool) (string, func(), error) {
	u, err := url.Parse(pgURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, fmt.Errorf("--database-url must be a postgres:// URL")
	}
	admin, err := store.Open(ctx, pgURL, "")
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "loadtest_" + hex.EncodeToString(b)
	if err := admin.WithContext(ctx).Exec("CREATE SCHEMA " + schema).Error; err != nil {
		store.Close(admin)
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	drop := func() {
		if !keep {
			admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		}
		store.Close(admin)
	}
	return u.String(), drop, nil
}

// serverTimer measures, inside the server, the requests for one path: from
// before routing to the return of the last middleware, which includes the
// handler, its database queries and writing the body into the connection's
// buffer (all of it, for bodies larger than that buffer). It leaves out
// reading the request and the final flush of the last few KB.
type serverTimer struct {
	mu      sync.Mutex
	path    string
	samples []time.Duration
}

func (t *serverTimer) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		d := time.Since(start)
		t.mu.Lock()
		if t.path != "" && c.Request().URL.Path == t.path {
			t.samples = append(t.samples, d)
		}
		t.mu.Unlock()
		return err
	}
}

// watch starts recording the requests for path, forgetting earlier ones.
func (t *serverTimer) watch(path string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.path, t.samples = path, nil
}

// take stops recording and returns what was recorded.
func (t *serverTimer) take() []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.samples
	t.path, t.samples = "", nil
	return out
}

// loopbackOnly refuses any URL that is not on 127.0.0.1: the tool measures
// servers it started itself and nothing else.
func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "http" || u.Hostname() != "127.0.0.1" {
		return fmt.Errorf("refusing non-loopback URL %q", raw)
	}
	return nil
}

// newTransport returns a transport for loopback measurements: no proxy, no
// compression, up to conns kept-alive connections.
func newTransport(conns int) *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
}

// get fetches raw and returns the status and body.
func get(ctx context.Context, c *http.Client, raw string) (int, []byte, error) {
	if err := loopbackOnly(raw); err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return 0, nil, err
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	return res.StatusCode, body, err
}

// postJSON sends body to raw and returns the status and response body.
func postJSON(ctx context.Context, c *http.Client, raw, body string) (int, []byte, error) {
	if err := loopbackOnly(raw); err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, raw, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, out, err
}
