package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// startResult is the real binary's start-up time and idle memory.
type startResult struct {
	binary     string
	buildTime  time.Duration
	fresh      []startRun // on an empty data folder: migrations run first
	restart    []startRun // on the data folder of the last fresh start
	binaryInfo string
}

type startRun struct {
	firstOK time.Duration // exec to the first 200 from /healthz
	rssKB   uint64        // VmRSS after idling
	hwmKB   uint64        // VmHWM: the peak RSS so far
}

func (r startResult) all() []startRun { return append(append([]startRun{}, r.fresh...), r.restart...) }

// startLimit bounds one start of the binary.
const startLimit = 15 * time.Second

// measureStartup builds ./cmd/firststep (unless o.binary names one), then
// starts it o.starts times on a fresh data folder and o.restarts times on
// an existing one, timing exec to the first 200 on /healthz and reading the
// server's RSS from /proc after it idles.
func measureStartup(ctx context.Context, o options, tmp string) (startResult, error) {
	var r startResult
	bin := o.binary
	if bin == "" {
		root, err := moduleRoot()
		if err != nil {
			return r, err
		}
		bin = filepath.Join(tmp, "firststep")
		bctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(bctx, "go", "build", "-o", bin, "./cmd/firststep")
		cmd.Dir = root
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			return r, fmt.Errorf("go build ./cmd/firststep: %w\n%s", err, out)
		}
		r.buildTime = time.Since(start)
	}
	r.binary = bin
	if fi, err := os.Stat(bin); err == nil {
		r.binaryInfo = fmt.Sprintf("%.1f MiB", float64(fi.Size())/(1<<20))
	}
	var dir string
	for i := range o.starts {
		dir = filepath.Join(tmp, fmt.Sprintf("start-%d", i+1))
		run, err := startOnce(ctx, bin, dir, o.idleWait)
		if err != nil {
			return r, fmt.Errorf("fresh start %d: %w", i+1, err)
		}
		r.fresh = append(r.fresh, run)
	}
	for i := range o.restarts {
		run, err := startOnce(ctx, bin, dir, o.idleWait)
		if err != nil {
			return r, fmt.Errorf("restart %d: %w", i+1, err)
		}
		r.restart = append(r.restart, run)
	}
	return r, nil
}

// startOnce runs `firststep serve` on a free loopback port over dataDir and
// stops it with SIGTERM once measured.
func startOnce(ctx context.Context, bin, dataDir string, idle time.Duration) (startRun, error) {
	var run startRun
	addr, err := freeLoopbackAddr()
	if err != nil {
		return run, err
	}
	health := "http://" + addr + "/healthz"
	if err := loopbackOnly(health); err != nil {
		return run, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(environWithout("FIRSTSTEP_"), "FIRSTSTEP_DATA="+dataDir, "FIRSTSTEP_ADDR="+addr)
	var out tail
	cmd.Stdout, cmd.Stderr = &out, &out
	tr := newTransport(1)
	tr.DisableKeepAlives = true
	c := &http.Client{Transport: tr, Timeout: time.Second}

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return run, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() error {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			return err
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-exited
			return errors.New("did not stop within 20s of SIGTERM")
		}
	}

	deadline := start.Add(startLimit)
	for {
		if code, _, err := get(ctx, c, health); err == nil && code == http.StatusOK {
			run.firstOK = time.Since(start)
			break
		}
		select {
		case err := <-exited:
			return run, fmt.Errorf("firststep exited before answering (%v): %s", err, out.String())
		case <-ctx.Done():
			stop()
			return run, ctx.Err()
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return run, fmt.Errorf("no 200 from /healthz within %s: %s", startLimit, out.String())
		}
	}
	select {
	case <-time.After(idle):
	case <-ctx.Done():
	}
	st, err := procStatus(fmt.Sprint(cmd.Process.Pid))
	if err != nil {
		stop()
		return run, err
	}
	run.rssKB, run.hwmKB = st.rssKB, st.hwmKB
	if err := stop(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return run, err
		}
		return run, fmt.Errorf("firststep did not shut down cleanly (%v): %s", err, out.String())
	}
	return run, nil
}

// freeLoopbackAddr returns a loopback address with a port free right now.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr, nil
}

// environWithout is this process's environment less the variables with
// prefix, so that the started server sees only the settings given to it.
func environWithout(prefix string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, prefix) {
			out = append(out, kv)
		}
	}
	return out
}

// moduleRoot finds the folder of Firststep's go.mod from the working
// directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/firststep/firststep")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the firststep module, or give --binary")
		}
		dir = parent
	}
}

// tail keeps the last 4 KB written to it, for error messages.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 4096 {
		t.buf = t.buf[len(t.buf)-4096:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}
