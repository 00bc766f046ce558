package app_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/firststep/firststep/internal/app"
	"golang.org/x/crypto/bcrypt"
)

// TestDemoSeededOnceByInstancesStartedTogether: two instances started with
// --demo at once on one empty database both come up, and the database holds
// one demo practice — one admin, two clinicians — whose password only one
// of them printed.
func TestDemoSeededOnceByInstancesStartedTogether(t *testing.T) {
	t.Parallel()
	first := newApp(t)
	second, err := app.Build(first.Config, first.DB, first.Logger, app.Options{Now: first.Now, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		outs  [2]bytes.Buffer
		errs  [2]error
	)
	for i, a := range []*app.App{first, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = a.SeedDemo(context.Background(), &outs[i])
		}()
	}
	close(start)
	wg.Wait()

	printed := 0
	for i := range errs {
		if errs[i] != nil {
			t.Errorf("instance %d: seed demo: %v", i, errs[i])
		}
		if strings.Contains(outs[i].String(), "password") {
			printed++
		}
	}
	if printed != 1 {
		t.Errorf("%d instances printed an admin password, want 1:\n%s\n%s", printed, outs[0].String(), outs[1].String())
	}
	if n, err := first.Staff.Count(context.Background()); err != nil || n != 1 {
		t.Errorf("accounts = %d, %v; want 1", n, err)
	}
	if cs, err := first.Booking.Clinicians(context.Background()); err != nil || len(cs) != 2 {
		t.Errorf("clinicians = %d, %v; want 2", len(cs), err)
	}
}
